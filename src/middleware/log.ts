import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'

type Level = 'info' | 'warn' | 'error'

/** One JSON line per event, always carrying the request id. */
export function log(c: Context<AppEnv>, level: Level, fields: Record<string, unknown>): void {
  console[level](JSON.stringify({ level, requestId: c.var.requestId, ...fields }))
}

export const accessLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now()
  await next()
  log(c, 'info', {
    event: 'request',
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    ms: Date.now() - started,
  })
})
