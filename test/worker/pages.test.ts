import { describe, expect, it } from 'vitest'
import { Client, countRequests, loggedInClient } from './helpers'

describe('GET /', () => {
  it('shows the log-in and sign-up forms without a cookie or any backend call', async () => {
    const client = new Client()
    let response: Response | undefined
    const used = await countRequests(async () => {
      response = await client.request('/', { browser: true })
    })
    if (!response) throw new Error('no response')
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html.startsWith('<!doctype html>'), html.slice(0, 40)).toBe(true)
    expect(html).toContain('action="/login"')
    expect(html).toContain('action="/register"')
    expect(html).toMatch(/<label for="signup-password">/)
    expect(response.headers.getSetCookie(), 'anonymous pages set no cookie').toEqual([])
    expect(used).toEqual({ upstash: 0, planetscale: 0 })
  })

  it('redirects a logged-in visitor to /home', async () => {
    const { client } = await loggedInClient()
    const response = await client.request('/', { browser: true })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/home')
  })

  it('shows a known notice code as text and ignores unknown codes', async () => {
    const client = new Client()
    const known = await (await client.request('/?notice=registered', { browser: true })).text()
    expect(known).toContain('Your account is ready')
    const unknown = await (await client.request('/?notice=<b>hi</b>', { browser: true })).text()
    expect(unknown).not.toContain('<b>hi</b>')
    expect(unknown, 'no notice at all, escaped or not').not.toContain('class="message')
  })
})

describe('security headers', () => {
  it('sends a same-origin CSP, a request id and no inline script', async () => {
    const response = await new Client().request('/', { browser: true })
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(response.headers.get('x-request-id')).toMatch(/\S{8,}/)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await response.text()).not.toContain('<script')
  })
})

describe('health', () => {
  it('GET /healthz answers without I/O', async () => {
    let response: Response | undefined
    const used = await countRequests(async () => {
      response = await new Client().request('/healthz')
    })
    expect(response?.status).toBe(200)
    expect(used).toEqual({ upstash: 0, planetscale: 0 })
  })

  it('GET /readyz pings Redis and SQL', async () => {
    const response = await new Client().request('/readyz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok', redis: 'ok', sql: 'ok' })
  })

  it('GET /readyz answers 503 with Retry-After when Redis does not answer', async () => {
    const response = await new Client({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9' }).request(
      '/readyz'
    )
    expect(response.status).toBe(503)
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await response.json()).toEqual({
      status: 'unavailable',
      redis: 'unavailable',
      sql: 'ok',
    })
  })
})

describe('unknown routes', () => {
  it('answers 404 JSON for API clients and a page for browsers', async () => {
    const client = new Client()
    const api = await client.request('/nope')
    expect(api.status).toBe(404)
    expect(await api.json()).toMatchObject({ error: true, code: 'not_found' })
    const page = await client.request('/nope', { browser: true })
    expect(page.status).toBe(404)
    expect(page.headers.get('content-type')).toContain('text/html')
  })
})
