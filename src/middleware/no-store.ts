import { createMiddleware } from 'hono/factory'

/**
 * Nothing the Worker answers may be kept by a browser or a shared cache: pages and JSON show
 * one user's data, responses set or clear the session cookie, and every form carries a fresh
 * idempotency key. (Static assets in public/ are served without the Worker.)
 * Set on the response itself: Hono's c.header() after next() copies the whole response into a new
 * one, its body then a stream, on every request.
 */
export const noStore = createMiddleware(async (c, next) => {
  await next()
  c.res.headers.set('Cache-Control', 'no-store')
})
