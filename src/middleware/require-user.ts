import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv, SessionSource } from '../app-env'
import { AppError } from '../errors'
import { wantsHtml } from '../http/negotiate'
import { currentUser } from '../session/access'

/**
 * The answer to a request that needs a logged-in user. A page (GET /home) sends every client to
 * the log-in page, as the 2015 app it rebuilds did; elsewhere a browser goes there and an API client gets 401.
 */
export function notLoggedIn(c: Context<AppEnv>, page = false): Response {
  if (page || wantsHtml(c)) return c.redirect('/', 302)
  throw new AppError('not_logged_in')
}

const requireUserAt = (where: SessionSource) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const user = await currentUser(c, where)
    if (!user) return notLoggedIn(c)
    c.set('user', user)
    return next()
  })

/** Guard for routes that need a logged-in user; sets the request's user (c.get('user')). */
export const requireUser = requireUserAt('nearby')

/**
 * The same, with the session read at the primary: account actions refuse a revoked session at
 * once, not once the read region has caught up. (Without replicas, both read the primary.)
 */
export const requireLiveUser = requireUserAt('primary')
