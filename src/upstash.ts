import { errors, Redis } from '@upstash/redis/cloudflare'
import { type ReadWrite, type RequestBudget, readWrite } from './backend'
import type { Config } from './env'

/** Redis's own replies (errors such as NOSCRIPT, which @upstash/ratelimit reads) pass unchanged. */
const isRedisReply = (error: unknown) => error instanceof errors.UpstashError

/** The request's Upstash handles, bounded by its budget. */
export function redisClients(config: Config, budget: RequestBudget): ReadWrite<Redis> {
  return readWrite((repeatable) => {
    const redis = new Redis({
      url: config.UPSTASH_REDIS_REST_URL,
      token: config.UPSTASH_REDIS_REST_TOKEN,
      // The function form is evaluated per call, and makes an abort throw.
      signal: () => budget.signal('upstash'),
      // The client would retry whenever fetch throws, which may follow a command Redis already
      // ran; budget.call repeats reads only. (`retry: false` would still retry once.)
      retry: { retries: 0 },
      enableTelemetry: false,
    })
    redis.use((request, send) =>
      budget.call('upstash', repeatable, () => send(request), isRedisReply)
    )
    return redis
  })
}
