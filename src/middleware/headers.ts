import { createMiddleware } from 'hono/factory'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'

const RAY_ID = /^[\w-]{1,64}$/

// As chi's RequestID middleware: a random prefix per isolate and a counter, unique without a
// random draw per request. (Workers refuse random values in the global scope: made on first use.)
let isolatePrefix: string | undefined
let counter = 0
const nextLocalId = () => {
  isolatePrefix ??= crypto.getRandomValues(new Uint8Array(9)).toBase64({ alphabet: 'base64url' })
  counter += 1
  return `${isolatePrefix}-${counter}`
}

/**
 * The request's id, for log lines and error bodies: Cloudflare's ray id when there is one (the edge
 * sends it back in a CF-Ray header itself, and its own logs are searchable by it), else our own.
 * No X-Request-Id header either way: every header costs the Worker something on every answer.
 */
export const requestIds = requestId({
  headerName: '',
  generator: (c) => {
    const ray = c.req.header('cf-ray')
    return ray && RAY_ID.test(ray) ? ray : nextLocalId()
  },
})

/** Pages: the full set. */
const documentHeaders = secureHeaders({
  // Other sites learn nothing of where their visitors come from, while our own form posts keep
  // their Origin (under no-referrer a browser sends `Origin: null`, and one that sends no
  // Sec-Fetch-Site, as Safari before 16.4, then has its posts refused as cross-site).
  referrerPolicy: 'same-origin',
  // The CSP's frame-ancestors 'none' says it; X-Frame-Options: SAMEORIGIN would contradict it.
  xFrameOptions: false,
  // Nothing here sets X-Powered-By: removing it would be one more header operation per answer.
  removePoweredBy: false,
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
  },
})

/**
 * Every other answer (JSON, redirects, empty ones): what OWASP's REST Security Cheat Sheet asks of
 * an API (no sniffing, HTTPS only, never framed), and no loading by other sites (CORP). The
 * headers only a document reads (COOP, Origin-Agent-Cluster, Referrer-Policy, DNS prefetching, and
 * the switches of IE's downloads, Flash's policy files and the XSS auditors browsers have removed)
 * would cost each answer seven header writes for nothing.
 */
const apiHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  removePoweredBy: false,
})

const answered = async () => {}

/**
 * The headers every answer gets, set on the response itself (Hono's c.header() after next() would
 * copy the whole response into a new one, its body then a stream):
 * - Cache-Control: no-store. Nothing the Worker answers may be kept by a browser or a shared cache:
 *   pages and JSON show one user's data, responses set or clear the session cookie, and every form
 *   carries a fresh idempotency key. (Static assets in public/ are served without the Worker.)
 * - security headers by what the answer is; both sets come from hono/secure-headers.
 */
export const responseHeaders = createMiddleware(async (c, next) => {
  await next()
  c.res.headers.set('Cache-Control', 'no-store')
  const isDocument = c.res.headers.get('Content-Type')?.startsWith('text/html') ?? false
  await (isDocument ? documentHeaders : apiHeaders)(c, answered)
})
