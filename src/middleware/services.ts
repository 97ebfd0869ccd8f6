import { connect } from '@planetscale/database'
import { errors, Redis } from '@upstash/redis/cloudflare'
import { createMiddleware } from 'hono/factory'
import { RequestBudget } from '../backend'
import { type AppEnv, loadConfig } from '../env'
import { AppError } from '../errors'
import { log } from './log'

/** Redis commands the app sends that may be repeated safely (GETEX only refreshes the idle TTL). */
const REDIS_READS = new Set(['getex', 'ping'])

const isRead = (command: unknown) =>
  Array.isArray(command) && REDIS_READS.has(String(command[0]).toLowerCase())

/** A single read, or an (auto-)pipeline of reads only. */
const isRedisRead = (path: string[] | undefined, body: unknown) =>
  path?.[0] === 'pipeline'
    ? Array.isArray(body) && body.every(isRead)
    : !path?.length && isRead(body)

/** The driver posts {"query": "...", "session": ...}; only a SELECT may be repeated. */
function isSelect(body: unknown): boolean {
  if (typeof body !== 'string') return false
  try {
    const { query } = JSON.parse(body) as { query?: unknown }
    return typeof query === 'string' && /^\s*select\b/i.test(query)
  } catch {
    return false
  }
}

/**
 * Validated config and per-request clients in c.var. Clients make no I/O until used. Every
 * backend call is bounded by the request's budget (see RequestBudget); only reads are retried.
 */
export const services = createMiddleware<AppEnv>(async (c, next) => {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(c.env)
  } catch (error) {
    log(c, 'error', { event: 'invalid_env', error: String(error) })
    throw new AppError(500, 'invalid_environment', 'The service is misconfigured.')
  }
  c.set('config', config)
  const budget = new RequestBudget(config.REQUEST_BUDGET_MS, config.BACKEND_TIMEOUT_MS)
  const redis = new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    // The function form is evaluated per call, and makes an abort throw.
    signal: () => budget.signal('upstash'),
    // The client would retry whenever fetch throws, which may follow a command Redis already
    // ran; budget.call retries reads only. (`retry: false` would still retry once.)
    retry: { retries: 0 },
    enableTelemetry: false,
  })
  // Redis's own replies (UpstashError) pass unchanged, since callers such as @upstash/ratelimit
  // read them (NOSCRIPT).
  redis.use((request, send) =>
    budget.call(
      'upstash',
      isRedisRead(request.path, request.body),
      () => send(request),
      (error) => error instanceof errors.UpstashError
    )
  )
  c.set('redis', redis)
  c.set(
    'db',
    connect({
      url: config.DATABASE_URL,
      fetch: (input, init) =>
        budget.call('planetscale', isSelect(init?.body), async () => {
          const response = await fetch(input, { ...init, signal: budget.signal('planetscale') })
          // Read the body here, under the signal: a connection lost mid-answer is a backend
          // failure too, not an error inside the driver.
          return new Response(await response.arrayBuffer(), response)
        }),
    })
  )
  await next()
})
