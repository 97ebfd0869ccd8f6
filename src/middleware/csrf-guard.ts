import { csrf } from 'hono/csrf'
import { createMiddleware } from 'hono/factory'

const browserCsrf = csrf()

/**
 * hono/csrf for browsers. A request with neither Origin nor Sec-Fetch-Site cannot come from a
 * browser (they send one or both on every POST), so it cannot be a forged cross-site request:
 * such clients (curl, the tutorial's scripts) are let through, as Go's CrossOriginProtection does.
 */
export const csrfGuard = createMiddleware(async (c, next) => {
  if (c.req.header('origin') === undefined && c.req.header('sec-fetch-site') === undefined) {
    return next()
  }
  return browserCsrf(c, next)
})
