import type { Context } from 'hono'
import type { AppEnv } from './app-env'

type Level = 'info' | 'warn' | 'error'

/** One JSON line per event, always carrying the request id. */
export function log(c: Context<AppEnv>, level: Level, fields: Record<string, unknown>): void {
  console[level](JSON.stringify({ level, requestId: c.get('requestId'), ...fields }))
}
