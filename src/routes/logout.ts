import { Hono } from 'hono/tiny'
import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { clearSessionCookie, sealedSessionCookie, unsealSessionId } from '../session/middleware'
import { endSession } from '../session/sessions'

/**
 * Mounted before the session middleware: logout deletes without reading the session first, so it
 * costs one Upstash request. If Redis fails, the error (503) keeps the cookie: nobody is left
 * believing they logged out while the session lives on.
 */
async function logout(c: Context<AppEnv>, status: 302 | 303) {
  const sealed = sealedSessionCookie(c)
  if (sealed) {
    const sessionId = await unsealSessionId(c, sealed)
    if (sessionId) await endSession(c.var.redis, sessionId)
    clearSessionCookie(c)
  }
  return c.redirect('/?notice=logged_out', status)
}

export const logoutRoutes = new Hono<AppEnv>()
  .post('/logout', (c) => logout(c, 303))
  // The tutorial's link. A cross-site GET (a link or image on another site) must not log anyone out.
  .get('/logout', (c) =>
    c.req.header('sec-fetch-site') === 'cross-site' ? c.redirect('/', 302) : logout(c, 302)
  )
