import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'

type Level = 'info' | 'warn' | 'error'

/** One JSON line per event, always carrying the request id. */
export function log(c: Context<AppEnv>, level: Level, fields: Record<string, unknown>): void {
  console[level](JSON.stringify({ level, requestId: c.get('requestId'), ...fields }))
}

/** Answers slower than this are logged even when they succeed. */
const SLOW_MS = 1000

/**
 * A line for each failed (5xx) or slow request. Cloudflare's own request logs already record
 * every invocation (method, URL, status, timing); a line of ours for each would cost CPU on every
 * request and say nothing more.
 */
export const accessLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now()
  await next()
  const ms = Date.now() - started
  if (c.res.status < 500 && ms < SLOW_MS) return
  log(c, c.res.status < 500 ? 'info' : 'warn', {
    event: 'request',
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    ms,
  })
})
