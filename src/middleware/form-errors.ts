import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'
import { AppError } from '../errors'
import { wantsHtml } from '../http/negotiate'

/**
 * Post/Redirect/Get for a browser's failed form: back to `path` with the error's code, which the
 * page turns into a message. API clients keep the JSON error from onError.
 */
export const redirectFormErrors = (path: string) =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next()
    const error = c.error
    if (error instanceof AppError && error.status < 500 && wantsHtml(c)) {
      c.res = c.redirect(`${path}?error=${encodeURIComponent(error.code)}`, 303)
    }
  })
