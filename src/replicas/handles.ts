import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import { databases, replicaDatabase } from '../backends/planetscale'
import { redisForRequest } from '../backends/upstash'
import type { Config } from '../env'
import { readLastWrite, sendLastWrite } from './last-write'

/**
 * With replicas, the request's backend handles (in c.var) start from the browser's last write,
 * and `finish` (once the answer is made) sends the browser its new last write if this request
 * wrote anything:
 * - Upstash: the request's own clients carry the browser's sync token, so the read region answers
 *   only once it has what this browser wrote; after a write, the new token goes back.
 * - PlanetScale: reads that may be served nearby (`db.nearby`) go to the read-only region, except
 *   for READ_PRIMARY_AFTER_WRITE_MS after this browser's last write there.
 */
export async function replicaHandles(c: Context<AppEnv>, config: Config) {
  const replica = replicaDatabase(config)
  if (!replica) return null
  const last = await readLastWrite(c, config.SESSION_SECRET)
  const redis = redisForRequest(config, last.syncToken)
  const primary = databases(config)
  let wroteDatabase = false
  c.set('redis', redis.handles)
  c.set('db', {
    read: primary.read,
    get write() {
      wroteDatabase = true
      return primary.write
    },
    nearby: Date.now() < last.primaryUntil ? primary.read : replica,
  })
  return async function finish() {
    const syncToken = redis.syncToken()
    if (syncToken === undefined && !wroteDatabase) return
    await sendLastWrite(c, config.SESSION_SECRET, {
      syncToken: syncToken ?? last.syncToken,
      primaryUntil: wroteDatabase
        ? Date.now() + config.READ_PRIMARY_AFTER_WRITE_MS
        : last.primaryUntil,
    })
  }
}
