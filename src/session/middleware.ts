import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { CookieOptions } from 'hono/utils/cookie'
import { encrypt, sessionMiddleware } from 'hono-sessions'
import type { AppEnv, Config } from '../env'
import { type SessionPolicy, UpstashSessionStore, unsealSessionId } from './store'

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

/** The raw (still sealed) session cookie, if the request has one. */
export const sealedSessionCookie = (c: Context) => getCookie(c, COOKIE_NAME, 'host')

/**
 * hono-sessions with our store, plus the policy the library does not have:
 * - no cookie: the library is skipped (no Redis call, no cookie, no sealing work);
 * - no encryptionKey: the library handles the sealed value as the session's name and the store
 *   unseals it, so the ID is not sealed again on every request;
 * - the library's own Set-Cookie (sent on every request) is dropped: the cookie is written only
 *   when the session ID changes, by issueSessionCookie() and clearSessionCookie();
 * - autoExtendExpiration off: idle expiry is the Redis TTL refreshed by the read, so an unchanged
 *   session is never written back.
 */
export const sessions = createMiddleware<AppEnv>(async (c, next) => {
  c.set('user', null)
  if (!sealedSessionCookie(c)) return next()
  const config = c.var.config
  const store = new UpstashSessionStore(c.var.redis, sessionPolicy(config), config.SESSION_SECRET)
  c.set('sessionStore', store)
  const library = sessionMiddleware({
    store,
    sessionCookieName: COOKIE_NAME,
    cookieOptions: COOKIE_OPTIONS,
    autoExtendExpiration: false,
  })
  await library(c, async () => {
    c.header('Set-Cookie', undefined)
    c.set('user', store.loaded?.stored.user ?? null)
    await next()
  })
})

export async function issueSessionCookie<E extends AppEnv>(
  c: Context<E>,
  sessionId: string
): Promise<void> {
  const sealed = await encrypt(c.var.config.SESSION_SECRET, sessionId)
  setCookie(c, COOKIE_NAME, sealed, {
    ...COOKIE_OPTIONS,
    maxAge: c.var.config.SESSION_ABSOLUTE_SECONDS,
  })
}

export function clearSessionCookie<E extends AppEnv>(c: Context<E>): void {
  deleteCookie(c, COOKIE_NAME, COOKIE_OPTIONS)
}

/** The loaded session's ID hash, to mark "this device" in the sessions list. */
export function currentSessionIdHash<E extends AppEnv>(c: Context<E>): string | undefined {
  return c.var.sessionStore?.loaded?.idHash
}

/**
 * The session ID in the request's cookie, without asking Redis whether it is alive; null when
 * there is no cookie or its value is tampered or foreign.
 */
export async function cookieSessionId(c: Context<AppEnv>): Promise<string | null> {
  const sealed = sealedSessionCookie(c)
  return sealed ? unsealSessionId(c.var.config.SESSION_SECRET, sealed) : null
}
