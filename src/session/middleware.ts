import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { CookieOptions } from 'hono/utils/cookie'
import { Session } from 'hono-sessions'
import type { AppEnv, Config } from '../env'
import { newSessionCookie, verifySessionCookie } from './cookie'
import { appEntries, type SessionUser } from './sessions'
import { type SessionPolicy, UpstashSessionStore } from './store'

const COOKIE_NAME = 'sid'
/** __Host- prefix: Secure, Path=/, no Domain. */
const COOKIE_OPTIONS: CookieOptions = {
  prefix: 'host',
  httpOnly: true,
  secure: true,
  sameSite: 'Lax',
  path: '/',
}

export const sessionPolicy = (config: Config): SessionPolicy => ({
  idleSeconds: config.SESSION_IDLE_SECONDS,
  absoluteSeconds: config.SESSION_ABSOLUTE_SECONDS,
})

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
 * interface, and adds the policy the architecture asks for:
 * - the cookie is signed (not sealed) and verified here once; a cookieless or tampered request
 *   costs no Redis call;
 * - the session is read lazily, on the first currentSession(): login and logout never read it,
 *   and a read can run alongside another backend call (readWhileCheckingSession);
 * - Set-Cookie only when the ID changes (issueSessionCookie, clearSessionCookie);
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
  const store = new UpstashSessionStore(c.get('redis'), sessionPolicy(c.get('config')))
  let loading: Promise<Loaded | null> | undefined
  c.set('loadSession', () => {
    loading ??= load(store, cookie.idHash)
    return loading.then((loaded) => loaded?.session ?? null)
  })
  await next()
  const loaded = await loading?.catch(ignore)
  if (loaded) await saveChanges(store, cookie.idHash, loaded)
})

async function load(store: UpstashSessionStore, idHash: string): Promise<Loaded | null> {
  const data = await store.getSessionById(idHash)
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

/** The request's live session, read from Upstash on the first call; null when there is none. */
export const currentSession = (c: Context<AppEnv>) => c.get('loadSession')()

/** The live session's user; null without one, or when it is not the user the cookie names. */
export async function currentUser(c: Context<AppEnv>): Promise<SessionUser | null> {
  const session = await currentSession(c)
  const user = session?.get('user') as SessionUser | undefined
  return user && user.id === c.get('sessionCookie')?.userId ? user : null
}

/**
 * The session's user, and `read` for that user run at the same time as the session check: one
 * round trip instead of two. `read` gets the user id from the signed cookie; its result is used
 * only when the session turns out live and that user's, so a revoked session still sees nothing.
 */
export async function readWhileCheckingSession<T>(
  c: Context<AppEnv>,
  read: (userId: string) => Promise<T>
): Promise<{ user: SessionUser; result: T } | null> {
  const cookie = c.get('sessionCookie')
  if (!cookie) return null
  const reading = read(cookie.userId)
  // Settled below, or dropped when the session is not live: never an unhandled rejection.
  reading.catch(ignore)
  const user = await currentUser(c)
  return user ? { user, result: await reading } : null
}

/**
 * A fresh session for `user`: `start` stores it under the new cookie's key; the cookie is sent
 * only once that succeeded. The only way a session ID is ever made (no fixation).
 */
export async function beginSession<E extends AppEnv>(
  c: Context<E>,
  userId: string,
  start: (idHash: string) => Promise<unknown>
): Promise<void> {
  const config = c.get('config')
  const cookie = await newSessionCookie(config.SESSION_SECRET, userId)
  await start(cookie.idHash)
  setCookie(c, COOKIE_NAME, cookie.value, {
    ...COOKIE_OPTIONS,
    maxAge: config.SESSION_ABSOLUTE_SECONDS,
  })
}

export function clearSessionCookie<E extends AppEnv>(c: Context<E>): void {
  deleteCookie(c, COOKIE_NAME, COOKIE_OPTIONS)
}
