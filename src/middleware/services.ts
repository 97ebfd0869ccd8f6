import { createMiddleware } from 'hono/factory'
import { RequestBudget } from '../backend'
import { databases } from '../db/connection'
import { type AppEnv, loadConfig } from '../env'
import { AppError } from '../errors'
import { redisClients, withRedisBudget } from '../upstash'
import { log } from './log'

/**
 * Validated config and the request's backend handles in c.var. Handles make no I/O until used,
 * and every backend call is bounded by the request's budget (see RequestBudget).
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
  c.set('redis', redisClients(config))
  c.set('db', databases(config, budget))
  await withRedisBudget(budget, next)
})
