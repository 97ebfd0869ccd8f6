import type { Redis } from '@upstash/redis/cloudflare'

type Pipeline = ReturnType<Redis['pipeline']>

/**
 * The attempts of one (account, address) pair whose password is being checked: a sorted set of
 * attempt ids scored by when each is expected to be decided (Redis's clock). A success or a
 * refusal removes its own entry in a pipeline it sends anyway; a failure does so (one more round
 * trip) only when another attempt may be waiting on it, and otherwise lets it lapse.
 */
const JOIN = `
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 60000 + tonumber(ARGV[2]))
return redis.call('ZCARD', KEYS[1]) - 1`

export class InFlight {
  private readonly key: string
  private readonly id = crypto.randomUUID()

  constructor(pairKey: string) {
    this.key = `${pairKey}:in-flight`
  }

  /** Enters the set until `decidedWithinMs` from now; how many other attempts are in it. */
  join(redis: Redis, decidedWithinMs: number): Promise<number> {
    return redis.eval<string[], number>(JOIN, [this.key], [this.id, String(decidedWithinMs)])
  }

  leave(pipeline: Pipeline): void {
    pipeline.zrem(this.key, this.id)
  }
}
