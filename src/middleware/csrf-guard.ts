import { createMiddleware } from 'hono/factory'
import { AppError } from '../errors'

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/
/** `none`: the user started it (address bar, bookmark). `same-site` is refused: a sibling
 * subdomain is another origin, possibly someone else's (as Go's CrossOriginProtection does). */
const ALLOWED_SITES = new Set(['same-origin', 'none'])

/**
 * Refuses a request that changes data when the browser says it comes from another site: by
 * Sec-Fetch-Site, or by an Origin that is not ours. Whatever the content type: hono/csrf looks
 * at form types only, and a cross-site fetch can send JSON with credentials too. A request with
 * neither header cannot come from a browser (they send Origin on every POST), so it cannot be a
 * forged cross-site request: such clients (curl, the tutorial's scripts) pass.
 */
export const csrfGuard = createMiddleware(async (c, next) => {
  if (SAFE_METHOD.test(c.req.method)) return next()
  const site = c.req.header('sec-fetch-site')
  const origin = c.req.header('origin')
  const crossSite =
    (site !== undefined && !ALLOWED_SITES.has(site)) ||
    (origin !== undefined && origin !== new URL(c.req.url).origin)
  if (crossSite) throw new AppError(403, 'cross_site')
  return next()
})
