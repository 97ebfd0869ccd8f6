import { createMiddleware } from 'hono/factory'
import { AppError } from '../errors'

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/
/** `none`: the user started it (address bar, bookmark). `same-site` is refused: a sibling
 * subdomain is another origin, possibly someone else's (as Go's CrossOriginProtection does). */
const ALLOWED_SITES = new Set(['same-origin', 'none'])

/** What Sec-Fetch-Site says of where a request comes from: ours, or no browser's (absent). */
export const fromOurSite = (site: string | undefined) =>
  site === undefined || ALLOWED_SITES.has(site)

/**
 * Refuses a request that changes data when the browser says it comes from another site, whatever
 * the content type (hono/csrf looks at form types only, and a cross-site fetch can send JSON with
 * credentials too): a Sec-Fetch-Site other than same-origin or none, or an Origin that is not
 * ours. `Origin: null` comes from sandboxed frames, privacy settings and pages whose referrer
 * policy is no-referrer (our pages keep the origin on their own posts: see headers.ts): only a
 * Sec-Fetch-Site can vouch for it, so without one it is refused. A request with neither header
 * cannot come from a browser (they send Origin on every POST), so it cannot be a forged
 * cross-site request: such clients (curl, scripts) pass.
 */
export const csrfGuard = createMiddleware(async (c, next) => {
  if (SAFE_METHOD.test(c.req.method)) return next()
  const site = c.req.header('sec-fetch-site')
  const origin = c.req.header('origin')
  const foreignSite = !fromOurSite(site)
  const foreignOrigin =
    origin !== undefined &&
    (origin === 'null' ? site === undefined : origin !== new URL(c.req.url).origin)
  if (foreignSite || foreignOrigin) throw new AppError('cross_site')
  return next()
})
