import { connect } from '@planetscale/database'
import { Redis } from '@upstash/redis/cloudflare'
import { createMiddleware } from 'hono/factory'
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
  c.set(
    'redis',
    new Redis({
      url: config.UPSTASH_REDIS_REST_URL,
      token: config.UPSTASH_REDIS_REST_TOKEN,
      signal: () => AbortSignal.timeout(timeout),
      // The client retries only when fetch throws, which may follow a command Redis already ran.
      retry: false,
      enableTelemetry: false,
    })
  )
  c.set(
    'db',
    connect({
      url: config.DATABASE_URL,
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeout) }),
    })
  )
  await next()
})
