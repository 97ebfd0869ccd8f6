import { describe, expect, it } from 'vitest'
import { ERRORS } from '../../src/messages'
import { Client, loggedInClient, ORIGIN, PASSWORD } from './helpers'

describe('hostile and malformed input', () => {
  it('answers 413 for a body over 16 KiB, before parsing', async () => {
    const response = await new Client().request('/register', {
      json: {
        user_name: 'x'.repeat(17 * 1024),
        user_email: 'a@b.co',
        user_password: 'p'.repeat(20),
      },
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: true, code: 'payload_too_large' })
  })

  it.each([
    ['{"user_email":', 'application/json'],
    ['[1,2,3]', 'application/json'],
    ['null', 'application/json'],
  ])('answers 400 for the malformed JSON %s', async (body, type) => {
    const response = await new Client().request('/login', {
      body,
      headers: { 'content-type': type },
    })
    expect(response.status).toBe(400)
    const json = (await response.json()) as { message: string }
    expect(json.message).not.toMatch(/at |\.ts|stack/i)
  })

  it('answers 415 for an unsupported content type', async () => {
    const response = await new Client().request('/login', {
      body: '<xml/>',
      headers: { 'content-type': 'application/xml' },
    })
    expect(response.status).toBe(415)
  })

  it('rejects a cross-site form post with 403 and changes nothing', async () => {
    const { client } = await loggedInClient('csrf')
    const response = await client.request('/addStatus', {
      form: { status: 'forged' },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    })
    expect(response.status).toBe(403)
    const list = (await (await client.request('/fetchStatus')).json()) as { message: unknown[] }
    expect(list.message).toEqual([])
  })

  it('accepts a same-origin form post from a browser', async () => {
    const { client } = await loggedInClient('sameorigin')
    const response = await client.request('/addStatus', {
      form: { status: 'fine' },
      headers: { origin: ORIGIN },
    })
    expect(response.status).toBe(201)
  })
})

describe('cross-site requests that change data', () => {
  const statuses = async (client: Client) =>
    ((await (await client.request('/fetchStatus')).json()) as { message: unknown[] }).message

  it.each([
    ['Origin of another site', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['Origin: null and no Sec-Fetch-Site (an opaque origin)', { origin: 'null' }],
    ['Origin: null from a sandboxed frame', { origin: 'null', 'sec-fetch-site': 'cross-site' }],
    ['another scheme of our host', { origin: 'http://app.test' }],
    [
      'a same-origin claim with a foreign Origin',
      { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
    ],
  ])('refuses a JSON post with %s: 403, nothing stored', async (_label, headers) => {
    const { client } = await loggedInClient('csrf-json')
    const response = await client.request('/addStatus', { json: { status: 'forged' }, headers })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ error: true, code: 'cross_site' })
    expect(await statuses(client)).toEqual([])
  })

  it.each(['PUT', 'PATCH', 'DELETE'])(
    'refuses a cross-site %s, whatever the route',
    async (method) => {
      const response = await new Client().request('/addStatus', {
        method,
        body: '{}',
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      })
      expect(response.status).toBe(403)
    }
  )

  it('refuses a cross-site login (login CSRF) and a cross-site logout', async () => {
    const { client, email } = await loggedInClient('csrf-login')
    const evil = { origin: 'https://evil.example' }
    const login = await new Client().request('/login', {
      json: { user_email: email, user_password: PASSWORD },
      headers: evil,
    })
    expect(login.status).toBe(403)
    expect(login.headers.getSetCookie()).toEqual([])
    const logout = await client.request('/logout', { method: 'POST', headers: evil })
    expect(logout.status).toBe(403)
    expect((await client.request('/fetchStatus')).status, 'still logged in').toBe(200)
  })

  it('lets through same-origin requests, our own forms, and clients that send neither header (curl, scripts)', async () => {
    const { client } = await loggedInClient('csrf-ok')
    const sameOrigin = { origin: ORIGIN, 'sec-fetch-site': 'same-origin' }
    expect(
      (await client.request('/addStatus', { json: { status: 'a' }, headers: sameOrigin })).status
    ).toBe(201)
    expect((await client.request('/addStatus', { json: { status: 'b' } })).status).toBe(201)
    // A form post from a page under Referrer-Policy: no-referrer: Sec-Fetch-Site vouches for it.
    const ownForm = { origin: 'null', 'sec-fetch-site': 'same-origin' }
    expect(
      (await client.request('/addStatus', { json: { status: 'd' }, headers: ownForm })).status
    ).toBe(201)
    const typed = { 'sec-fetch-site': 'none' }
    expect(
      (await client.request('/addStatus', { json: { status: 'c' }, headers: typed })).status
    ).toBe(201)
    expect(await statuses(client)).toHaveLength(4)
  })
})

describe('messages to clients', () => {
  const known = new Set<string>(Object.values(ERRORS).map((error) => error.text))

  it.each([
    ['/register', {}],
    ['/register', { user_name: 'A', user_email: 'a@b.co' }],
    ['/register', { user_name: ['x'], user_email: 'a@b.co', user_password: PASSWORD }],
    ['/login', {}],
    ['/login', { user_email: 42, user_password: null }],
    ['/addStatus', {}],
    ['/addStatus', { status: { nested: true } }],
    ['/account/password', { new_password: PASSWORD }],
  ])("are the app's own words, never the validator's: POST %s %j", async (path, json) => {
    const { client } = await loggedInClient('messages')
    const response = await client.request(path, { json })
    const body = (await response.json()) as { message: string }
    expect(response.status).toBe(422)
    expect(known.has(body.message), body.message).toBe(true)
    expect(body.message).not.toMatch(/Invalid (key|type|length)|Expected|received/)
  })

  it("are the app's own words for a bad query too", async () => {
    const { client } = await loggedInClient('query-message')
    const response = await client.request('/fetchStatus?limit=1000')
    const body = (await response.json()) as { message: string }
    expect(response.status).toBe(400)
    expect(known.has(body.message), body.message).toBe(true)
  })
})
