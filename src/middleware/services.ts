import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'
import { RequestBudget, withBudget } from '../backends/budget'
import { databases } from '../backends/planetscale'
import { redisClients } from '../backends/upstash'
import { hasReplicas, loadConfig } from '../env'
import { AppError } from '../errors'
import { log } from '../log'
import { replicaHandles } from '../replicas/handles'

/**
 * Validated config and the backend handles in c.var (with replicas, the request's own: see
 * replicas/handles.ts). Handles make no I/O until used, and every backend call made for this
 * request is bounded by its budget (see RequestBudget).
 */
export const services = createMiddleware<AppEnv>(async (c, next) => {
  let config: ReturnType<typeof loadConfig>
  try {
    config = loadConfig(c.env)
  } catch (error) {
    log(c, 'error', { event: 'invalid_env', error: String(error) })
    throw new AppError('invalid_environment')
  }
  c.set('config', config)
  const budget = new RequestBudget(config.REQUEST_BUDGET_MS, config.BACKEND_TIMEOUT_MS)
  const finishReplicas = hasReplicas(config) ? await replicaHandles(c, config) : null
  if (!finishReplicas) {
    c.set('redis', redisClients(config))
    c.set('db', databases(config))
  }
  await withBudget(budget, next)
  await finishReplicas?.()
})
