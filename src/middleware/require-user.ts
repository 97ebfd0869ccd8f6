import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { AppError } from '../errors'
import { wantsHtml } from '../http/negotiate'
import type { SessionUser } from '../session/store'

/** Guard for routes that need a logged-in user: pages redirect to /, API clients get 401. */
export const requireUser = createMiddleware<AppEnv & { Variables: { user: SessionUser } }>(
  async (c, next) => {
    if (c.var.user) return next()
    if (wantsHtml(c)) return c.redirect('/', 302)
    throw new AppError(401, 'not_logged_in', 'Please log in first.')
  }
)
