import { connect } from '@planetscale/database'
import { errors, Redis } from '@upstash/redis/cloudflare'
import { createMiddleware } from 'hono/factory'
import { BackendUnavailable } from '../backend'
import { type AppEnv, loadConfig } from '../env'
import { AppError } from '../errors'
import { log } from './log'

/** Validated config and per-request clients in c.var. Clients make no I/O until used. */
export const services = createMiddleware<AppEnv>(async (c, next) => {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(c.env)
  } catch (error) {
    log(c, 'error', { event: 'invalid_env', error: String(error) })
    throw new AppError(500, 'invalid_environment', 'The service is misconfigured.')
  }
  const timeout = config.BACKEND_TIMEOUT_MS
  c.set('config', config)
  const redis = new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    // The function form gives each request its own deadline, and makes an abort throw.
    signal: () => AbortSignal.timeout(timeout),
    // The client retries only when fetch throws, which may follow a command Redis already ran.
    // (`retry: false` would still retry once.)
    retry: { retries: 0 },
    enableTelemetry: false,
  })
  // Network failures and timeouts become BackendUnavailable; Redis's own replies (UpstashError)
  // pass unchanged, since callers such as @upstash/ratelimit read them (NOSCRIPT).
  redis.use(async (request, send) => {
    try {
      return await send(request)
    } catch (error) {
      if (error instanceof errors.UpstashError) throw error
      throw new BackendUnavailable('upstash', error)
    }
  })
  c.set('redis', redis)
  c.set(
    'db',
    connect({
      url: config.DATABASE_URL,
      fetch: async (input, init) => {
        try {
          return await fetch(input, { ...init, signal: AbortSignal.timeout(timeout) })
        } catch (error) {
          throw new BackendUnavailable('planetscale', error)
        }
      },
    })
  )
  await next()
})
