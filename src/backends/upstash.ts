import { errors, Redis } from '@upstash/redis/cloudflare'
import type { Config } from '../env'
import { currentBudget } from './budget'
import { perIsolate, readWrite } from './handles'

/** How @upstash/redis reports an error reply of Redis's inside a (auto-)pipeline's answer. */
const REDIS_REPLY = /^Command (\d+ \[ \S+ \] )?failed: /

/**
 * Redis's own error replies (NOSCRIPT, which @upstash/ratelimit reads; WRONGTYPE, a bug of ours)
 * pass unchanged. The client hides the HTTP status of a refused request, but every command goes
 * through a pipeline, whose answer carries Redis's replies: an UpstashError without that shape is
 * the REST endpoint refusing the whole request (Redis down behind it), which counts as no answer.
 */
const isRedisReply = (error: unknown) =>
  error instanceof errors.UpstashError && REDIS_REPLY.test(error.message)

function newRedis(config: Config, repeatable: boolean): Redis {
  const redis = new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    // The function form is evaluated per call, and makes an abort throw.
    signal: () => currentBudget().signal('upstash'),
    // The client would retry whenever fetch throws, which may follow a command Redis already
    // ran; the budget repeats reads only. (`retry: false` would still retry once.)
    retry: { retries: 0 },
    enableTelemetry: false,
    // Every value we store is JSON text: plain UTF-8 answers spare decoding base64 on each read.
    responseEncoding: false,
  })
  redis.use((request, send) =>
    currentBudget().call('upstash', repeatable, () => send(request), isRedisReply)
  )
  return redis
}

/**
 * The Upstash handles. A client builds a few hundred methods: once per isolate, not per request.
 * Auto-pipelining batches only what one request sends in the same tick (a microtask), so a batch
 * never mixes requests.
 */
export const redisClients = perIsolate((config) =>
  readWrite((repeatable) => newRedis(config, repeatable))
)

/**
 * With replicas, one request's own handles. A client keeps one read-your-writes sync token and
 * sends it with every command: shared by an isolate, it would make each read wait for the
 * replica to catch up with every other user's writes. These start from the browser's own token
 * (from its last write) and `syncToken()` is the token after this request's writes, if it made
 * any. A client costs about 10 µs to build.
 */
export function redisForRequest(config: Config, syncToken: string) {
  let wrote = false
  const handles = readWrite((repeatable) => {
    const redis = newRedis(config, repeatable)
    redis.readYourWritesSyncToken = syncToken
    if (!repeatable) wrote = true
    return redis
  })
  return {
    handles,
    syncToken: () => (wrote ? handles.write.readYourWritesSyncToken : undefined),
  }
}
