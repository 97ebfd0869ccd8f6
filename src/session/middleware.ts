import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { Session } from 'hono-sessions'
import type { AppEnv, SessionSource } from '../app-env'
import { redisClients } from '../backends/upstash'
import { type Config, hasReplicas } from '../env'
import { COOKIE_NAME, verifySessionCookie } from './cookie'
import { sessionPolicy } from './policy'
import { appEntries } from './sessions'
import { UpstashSessionStore } from './store'

interface Loaded {
  session: Session
  /** the session's entries as loaded, to tell whether the request changed them */
  entries: string
}

const ignore = () => {}

/**
 * Sessions on hono-sessions' Session and our Upstash store. Its sessionMiddleware would cost more
 * than the request itself (a SHA-256 of the session in JavaScript twice, an iron seal of the ID
 * for a Set-Cookie, on every request), and it creates a store entry for every cookieless visitor;
 * this one keeps the library's Session as the carrier of session values and the library's Store
 * interface, and adds this app's policy:
 * - the cookie is signed (not sealed) and verified here once; a cookieless or tampered request
 *   costs no Redis call;
 * - the session is read lazily, on the first currentSession() (session/access.ts): login and
 *   logout never read it, and a read can run alongside another backend call
 *   (readWhileCheckingSession); with replicas, from the read region unless asked for the primary;
 * - Set-Cookie only when the ID changes (beginSession, clearSessionCookie);
 * - idle expiry is the Redis TTL refreshed by the read; an unchanged session is never written.
 */
export const sessions = createMiddleware<AppEnv>(async (c, next) => {
  const raw = getCookie(c, COOKIE_NAME, 'host')
  const cookie = raw ? await verifySessionCookie(c.get('config').SESSION_SECRET, raw) : null
  c.set('sessionCookie', cookie)
  if (!cookie) {
    c.set('loadSession', () => Promise.resolve(null))
    return next()
  }
  const config = c.get('config')
  const store = new UpstashSessionStore(
    c.get('redis'),
    sessionPolicy(config),
    idleRefresher(c, config)
  )
  let loading: Promise<Loaded | null> | undefined
  c.set('loadSession', (where = 'nearby') => {
    loading ??= load(store, cookie.idHash, where)
    return loading.then((loaded) => loaded?.session ?? null)
  })
  await next()
  const loaded = await loading?.catch(ignore)
  if (loaded) await saveChanges(store, cookie.idHash, loaded)
})

/**
 * With replicas, the idle refresh runs after the answer (waitUntil) on the isolate's own client:
 * it is no write of this browser's that its next reads must wait for.
 */
function idleRefresher(c: Context<AppEnv>, config: Config) {
  if (!hasReplicas(config)) return undefined
  return (key: string) => {
    const refresh = redisClients(config).write.expire(key, config.SESSION_IDLE_SECONDS)
    c.executionCtx.waitUntil(refresh.catch(ignore))
  }
}

async function load(
  store: UpstashSessionStore,
  idHash: string,
  where: SessionSource
): Promise<Loaded | null> {
  const data = await (where === 'primary'
    ? store.getSessionAtPrimary(idHash)
    : store.getSessionById(idHash))
  if (!appEntries(data) || !data) return null
  const session = new Session()
  // As a new session: the library would hash the data (SHA-256 in JavaScript) to detect changes;
  // comparing its JSON (below) costs a fraction of that.
  session.setCache(data, true)
  if (!session.sessionValid()) return null
  return { session, entries: JSON.stringify(data._data) }
}

async function saveChanges(store: UpstashSessionStore, idHash: string, loaded: Loaded) {
  const data = loaded.session.getCache()
  if (data._delete) await store.deleteSession(idHash)
  else if (JSON.stringify(data._data) !== loaded.entries) {
    await store.persistSessionData(idHash, data)
  }
}
