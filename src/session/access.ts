import type { Context } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import type { AppEnv, SessionSource } from '../app-env'
import { COOKIE_NAME, COOKIE_OPTIONS, newSessionCookie } from './cookie'
import type { SessionUser } from './sessions'

// What routes ask of the session: who is logged in (read by the session middleware on first use),
// a fresh session at login, and the cookie cleared at logout.

const ignore = () => {}

/** The request's live session, read from Upstash on the first call; null when there is none. */
export const currentSession = (c: Context<AppEnv>, where?: SessionSource) =>
  c.get('loadSession')(where)

/** The live session's user; null without one, or when it is not the user the cookie names. */
export async function currentUser(
  c: Context<AppEnv>,
  where?: SessionSource
): Promise<SessionUser | null> {
  const session = await currentSession(c, where)
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
