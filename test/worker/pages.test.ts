import { describe, expect, it } from 'vitest'
import { Client, countRequests, loggedInClient, ORIGIN, PASSWORD, uniqueEmail } from './helpers'

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
    const known = await (await client.request('/?notice=logged_out', { browser: true })).text()
    expect(known).toContain('You are logged out.')
    const unknown = await (await client.request('/?notice=<b>hi</b>', { browser: true })).text()
    expect(unknown).not.toContain('<b>hi</b>')
    expect(unknown, 'no notice at all, escaped or not').not.toContain('class="message')
  })

  it.each([
    'error=toString',
    'notice=__proto__',
    'error=constructor',
    'notice=hasOwnProperty',
    'error=valueOf&notice=toString',
  ])('shows no message box for ?%s (names of Object.prototype are no codes)', async (query) => {
    const page = await (await new Client().request(`/?${query}`, { browser: true })).text()
    expect(page).not.toContain('class="message')
  })
})

describe('pages without a session', () => {
  it('redirect every client to /, not only browsers: curl, fetch and scripts too', async () => {
    for (const accept of [undefined, '*/*', 'application/json']) {
      const response = await new Client().request('/home', {
        headers: accept ? { accept } : {},
      })
      expect(response.status, `Accept: ${accept}`).toBe(302)
      expect(response.headers.get('location')).toBe('/')
    }
  })

  it('while the JSON routes answer API clients 401', async () => {
    const client = new Client()
    expect((await client.request('/fetchStatus')).status).toBe(401)
    expect((await client.request('/addStatus', { json: { status: 'x' } })).status).toBe(401)
  })
})

describe('GET /home paging', () => {
  const linkTo = (html: string, text: string) =>
    new RegExp(`<a href="([^"]+)"[^>]*>${text}</a>`).exec(html)?.[1]?.replaceAll('&amp;', '&')
  const page = async (client: Client, href: string) => {
    const html = await (await client.request(href, { browser: true })).text()
    const shown = [...html.matchAll(/<p>(status \d+)<\/p>/g)].map((match) => match[1])
    return {
      shown,
      older: linkTo(html, 'Older statuses →'),
      newer: linkTo(html, '← Newer statuses'),
    }
  }

  it('"Older statuses" and "Newer statuses" walk the pages both ways, each page exact', async () => {
    const { client } = await loggedInClient('paging')
    for (let i = 1; i <= 5; i++) {
      await client.request('/addStatus', { json: { status: `status ${i}` } })
    }
    const first = await page(client, '/home?limit=2')
    expect(first.shown).toEqual(['status 5', 'status 4'])
    expect(first.newer, 'nothing newer than the first page').toBeUndefined()
    const second = await page(client, first.older ?? '')
    expect(second.shown).toEqual(['status 3', 'status 2'])
    const last = await page(client, second.older ?? '')
    expect(last.shown).toEqual(['status 1'])
    expect(last.older, 'nothing older').toBeUndefined()

    const back = await page(client, last.newer ?? '')
    expect(back.shown, 'newer: the page before, as it was').toEqual(['status 3', 'status 2'])
    expect(back.older, 'and older again from there').toBe(second.older)
    const newest = await page(client, back.newer ?? '')
    expect(newest.shown).toEqual(['status 5', 'status 4'])
    expect(newest.newer, 'back at the newest: nothing newer').toBeUndefined()
    expect(newest.older).toBeDefined()

    await client.request('/addStatus', { json: { status: 'status 6' } })
    const later = await page(client, back.newer ?? '')
    expect(later.newer, 'something newer was posted meanwhile').toBeDefined()
    expect((await page(client, later.newer ?? '')).shown).toEqual(['status 6'])
  })

  it('refuses a query with both cursors (400)', async () => {
    const { client } = await loggedInClient('both-cursors')
    const response = await client.request('/fetchStatus?cursor=5&after=2')
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ code: 'invalid_query' })
  })
})

describe('security headers', () => {
  it('sends pages a same-origin CSP and the document headers, and no inline script', async () => {
    const response = await new Client().request('/', { browser: true })
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    // Our own posts keep their Origin; other sites learn nothing (see the form posts below).
    expect(response.headers.get('referrer-policy')).toBe('same-origin')
    const html = await response.text()
    expect(html).not.toContain('<script')
    expect(html, 'an icon, so browsers do not ask /favicon.ico').toContain(
      '<link rel="icon" href="/favicon.svg" type="image/svg+xml"/>'
    )
  })

  it('accepts a same-origin form post that has an Origin but no Sec-Fetch-Site (Safari before 16.4)', async () => {
    const { client } = await loggedInClient('no-fetch-site')
    const oldSafari = { accept: 'text/html', origin: ORIGIN }
    const posted = await client.request('/addStatus', {
      form: { status: 'hi' },
      headers: oldSafari,
    })
    expect(posted.status).toBe(303)
    expect(posted.headers.get('location')).toBe('/home?notice=posted')
  })

  it.each([
    ['another site', 'https://evil.example'],
    ['a page under no-referrer, or a sandboxed frame', 'null'],
  ])(
    'refuses a form post without Sec-Fetch-Site from %s (403), storing nothing',
    async (_label, origin) => {
      const { client } = await loggedInClient('no-fetch-site-foreign')
      const forged = await client.request('/addStatus', {
        form: { status: 'forged' },
        headers: { accept: 'text/html', origin },
      })
      expect(forged.status).toBe(403)
      const list = (await (await client.request('/fetchStatus')).json()) as { message: unknown[] }
      expect(list.message).toEqual([])
    }
  )

  it('sends JSON answers the API set: nothing may load, frame or sniff them', async () => {
    const response = await new Client().request('/fetchStatus')
    expect(response.status, 'an API client without a session').toBe(401)
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'"
    )
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin')
    expect(response.headers.get('strict-transport-security')).toContain('max-age=')
    expect(response.headers.get('cross-origin-opener-policy'), 'a document-only header').toBeNull()
  })

  it("names a request by Cloudflare's ray id when it has one, else by a fresh id", async () => {
    const client = new Client()
    const ray = '8f3a1c2b4d5e6f70-LHR'
    const withRay = await client.request('/nope', { headers: { 'cf-ray': ray } })
    expect(((await withRay.clone().json()) as { requestId: string }).requestId).toBe(ray)
    const idOf = async (response: Response) =>
      ((await response.json()) as { requestId: string }).requestId
    const forged = await idOf(await client.request('/nope', { headers: { 'cf-ray': 'a b"}' } }))
    expect(forged, 'not a ray id: one of ours instead').toMatch(/^[\w-]{12}-\d+$/)
    const next = await idOf(await client.request('/nope'))
    expect(next, 'each request its own').toMatch(/^[\w-]{12}-\d+$/)
    expect(next).not.toBe(forged)
    expect(withRay.headers.get('x-request-id'), 'CF-Ray already is the header').toBeNull()
  })

  it("sends no X-Frame-Options: SAMEORIGIN, which would contradict frame-ancestors 'none'", async () => {
    const response = await new Client().request('/', { browser: true })
    expect(response.headers.get('x-frame-options')).toBeNull()
  })

  it('marks every answer Cache-Control: no-store: pages, JSON, and answers that set or clear the cookie', async () => {
    const client = new Client()
    const email = uniqueEmail('no-store')
    const seen: [string, Response][] = [
      ['GET / (its form has a one-time key)', await client.request('/', { browser: true })],
    ]
    seen.push([
      'POST /register',
      await client.request('/register', {
        json: { user_name: 'N', user_email: email, user_password: PASSWORD },
      }),
    ])
    seen.push([
      'POST /login (sets the cookie)',
      await client.request('/login', { json: { user_email: email, user_password: PASSWORD } }),
    ])
    seen.push(['GET /home', await client.request('/home', { browser: true })])
    seen.push(['GET /fetchStatus', await client.request('/fetchStatus')])
    seen.push(['GET /account', await client.request('/account')])
    seen.push(['POST /addStatus', await client.request('/addStatus', { json: { status: 'x' } })])
    seen.push(['GET /nope (404)', await client.request('/nope')])
    seen.push([
      'POST /logout (clears the cookie)',
      await client.request('/logout', { method: 'POST', browser: true }),
    ])
    for (const [what, response] of seen) {
      expect(response.headers.get('cache-control'), `${what} -> ${response.status}`).toBe(
        'no-store'
      )
    }
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
