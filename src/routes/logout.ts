import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import { newApp } from '../http/app'
import { fromOurSite } from '../middleware/csrf-guard'
import { clearSessionCookie } from '../session/access'
import { endSession } from '../session/sessions'

/**
 * Logout deletes without reading the session first, so it costs one Upstash request. If Redis
 * fails, the error (503) keeps the cookie: nobody is left believing they logged out while the
 * session lives on.
 */
async function logout(c: Context<AppEnv>, status: 302 | 303) {
  const cookie = c.get('sessionCookie')
  if (cookie) await endSession(c.get('redis').write, cookie.idHash)
  clearSessionCookie(c)
  return c.redirect('/?notice=logged_out', status)
}

export const logoutRoutes = newApp()
  .post('/logout', (c) => logout(c, 303))
  // The link on every page. Hono answers HEAD with the GET handler, and a HEAD (a link checker, a
  // prefetch) or a GET from another site (a link or image there, a sibling subdomain included, as
  // the guard of unsafe methods says) must not log anyone out.
  .get('/logout', (c) =>
    c.req.method === 'HEAD' || !fromOurSite(c.req.header('sec-fetch-site'))
      ? c.redirect('/', 302)
      : logout(c, 302)
  )
