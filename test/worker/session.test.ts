import { env } from 'cloudflare:workers'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from '@upstash/redis/cloudflare'
import type { SessionData } from 'hono-sessions'
import { describe, expect, it } from 'vitest'
import { verifySessionCookie } from '../../src/session/cookie'
import { sessionKey } from '../../src/session/keys'
import { endSession } from '../../src/session/sessions'
import { UpstashSessionStore } from '../../src/session/store'
import { Client, countRequests, loggedInClient, sessionCookieOf, uniqueEmail } from './helpers'

const redis = () =>
  new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN })
const store = (policy: { idleSeconds: number; absoluteSeconds: number }) =>
  new UpstashSessionStore({ read: redis(), write: redis() }, policy)

async function cookieOf(cookie: string | null) {
  const verified = cookie && (await verifySessionCookie(env.SESSION_SECRET, cookie))
  if (!verified) throw new Error(`not a session cookie of ours: ${cookie}`)
  return verified
}

/** A cookie value as the app would sign it, for a session ID of our choosing. */
async function signed(secret: string, sessionId: string, userId: string) {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign']
  )
  const payload = `${sessionId}.${userId}`
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(payload))
  return `${payload}.${new Uint8Array(mac).toBase64({ alphabet: 'base64url', omitPadding: true })}`
}

const idHashOf = async (cookie: string | null) => (await cookieOf(cookie)).idHash

const isLoggedIn = async (client: Client) => (await client.request('/fetchStatus')).status === 200

describe('session storage in Redis', () => {
  it('keeps only a hash of the ID: sess:<hash> holding JSON, with TTL = idle timeout', async () => {
    const { client, email } = await loggedInClient('layout')
    const { sessionId, idHash } = await cookieOf(client.cookie)
    const key = sessionKey(idHash)
    const stored = await redis().get<SessionData>(key)
    expect(stored?._data.user?.value).toMatchObject({ email })
    expect(key).not.toContain(sessionId)
    const ttl = await redis().ttl(key)
    expect(ttl).toBeGreaterThan(1790)
    expect(ttl).toBeLessThanOrEqual(1800)
  })

  it('keeps arbitrary JSON values (nested objects) through the store', async () => {
    const { client } = await loggedInClient('json')
    const idHash = await idHashOf(client.cookie)
    const policy = { idleSeconds: 60, absoluteSeconds: 3600 }
    const data = await store(policy).getSessionById(idHash)
    if (!data) throw new Error('session not found')
    data._data.prefs = {
      value: { theme: 'dark', tags: ['a', 'b'], nested: { n: 1 } },
      flash: false,
    }
    await store(policy).persistSessionData(idHash, data)
    const again = await store(policy).getSessionById(idHash)
    expect(again?._data.prefs?.value).toEqual({ theme: 'dark', tags: ['a', 'b'], nested: { n: 1 } })
  })
})

describe('session lifecycle', () => {
  it('issues a fresh ID at login and kills the previous one (no fixation)', async () => {
    const { client, email } = await loggedInClient('fresh')
    const before = client.cookie
    await client.login(email)
    expect(client.cookie).not.toBe(before)
    const replay = new Client()
    replay.cookie = before
    expect(await isLoggedIn(replay), 'the pre-login session is dead').toBe(false)
    expect(await isLoggedIn(client)).toBe(true)
  })

  it('never sends Set-Cookie on authenticated reads', async () => {
    const { client } = await loggedInClient('nocookie')
    for (const path of ['/home', '/fetchStatus', '/account', '/']) {
      const response = await client.request(path, { browser: path !== '/fetchStatus' })
      expect(response.headers.getSetCookie(), path).toEqual([])
    }
  })

  it('treats a tampered cookie as no session, without a Redis call or a new cookie', async () => {
    const { client } = await loggedInClient('tamper')
    const cookie = client.cookie ?? ''
    const tampered = new Client()
    tampered.cookie = `${cookie.slice(0, 40)}${cookie[40] === 'A' ? 'B' : 'A'}${cookie.slice(41)}`
    let response: Response | undefined
    const used = await countRequests(async () => {
      response = await tampered.request('/fetchStatus')
    })
    expect(response?.status).toBe(401)
    expect(response?.headers.getSetCookie()).toEqual([])
    expect(used.upstash).toBe(0)
  })

  it('treats a cookie signed with another secret, or naming another user, as no session, without a Redis call', async () => {
    const { client } = await loggedInClient('foreign')
    const { sessionId, userId } = await cookieOf(client.cookie)
    const other = await loggedInClient('foreign-other')
    const otherUserId = (await cookieOf(other.client.cookie)).userId
    const forgeries = {
      'another secret': await signed(
        'another-secret-that-is-32-characters-long!',
        sessionId,
        userId
      ),
      'another user id': `${sessionId}.${otherUserId}.${(client.cookie ?? '').split('.')[2]}`,
    }
    for (const [label, cookie] of Object.entries(forgeries)) {
      const forged = new Client()
      forged.cookie = cookie
      let status = 0
      const used = await countRequests(async () => {
        status = (await forged.request('/fetchStatus')).status
      })
      expect({ status, upstash: used.upstash, planetscale: used.planetscale }, label).toEqual({
        status: 401,
        upstash: 0,
        planetscale: 0,
      })
    }
  })

  it('logout deletes the session server-side, clears the cookie, and a replay fails', async () => {
    const { client } = await loggedInClient('logout')
    const cookie = client.cookie
    const key = sessionKey(await idHashOf(cookie))
    const response = await client.request('/logout', { method: 'POST', browser: true })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/?notice=logged_out')
    expect(sessionCookieOf(response)).toBeNull()
    expect(await redis().exists(key)).toBe(0)
    const replay = new Client()
    replay.cookie = cookie
    expect(await isLoggedIn(replay)).toBe(false)
  })

  it('GET /logout works for the link on every page but not from another site', async () => {
    const { client, email } = await loggedInClient('getlogout')
    // same-site: a sibling subdomain, another origin (the guard of unsafe methods refuses it too)
    for (const site of ['cross-site', 'same-site']) {
      const foreign = await client.request('/logout', { headers: { 'sec-fetch-site': site } })
      expect(foreign.status).toBe(302)
      expect(foreign.headers.getSetCookie(), site).toEqual([])
      expect(await isLoggedIn(client), `a ${site} GET is ignored`).toBe(true)
    }
    const ours = await client.request('/logout', { headers: { 'sec-fetch-site': 'same-origin' } })
    expect(ours.status).toBe(302)
    expect(client.cookie, 'same-origin: logged out').toBeNull()
    await client.login(email)
    const sameSite = await client.request('/logout')
    expect(sameSite.status).toBe(302)
    expect(sameSite.headers.get('location')).toBe('/?notice=logged_out')
    expect(client.cookie).toBeNull()
  })

  it('HEAD /logout does not log out (Hono answers HEAD with the GET handler)', async () => {
    const { client } = await loggedInClient('headlogout')
    const head = await client.request('/logout', { method: 'HEAD' })
    expect(head.headers.getSetCookie(), 'the cookie is kept').toEqual([])
    expect(await isLoggedIn(client), 'still logged in').toBe(true)
  })

  it('a request in flight during logout cannot write the session back', async () => {
    const { client } = await loggedInClient('inflight')
    const idHash = await idHashOf(client.cookie)
    const policy = { idleSeconds: 60, absoluteSeconds: 3600 }
    const data = await store(policy).getSessionById(idHash)
    if (!data) throw new Error('session not found')
    await endSession(redis(), idHash)
    data._data.late = { value: 'written after logout', flash: false }
    await store(policy).persistSessionData(idHash, data)
    expect(await redis().exists(sessionKey(idHash))).toBe(0)
    expect(await isLoggedIn(client)).toBe(false)
  })

  it('expires after the idle timeout, and each read refreshes it', async () => {
    const email = uniqueEmail('idle')
    const client = new Client({ SESSION_IDLE_SECONDS: '2' })
    await client.register({ email })
    await client.login(email)
    for (let i = 0; i < 3; i++) {
      await sleep(1000)
      expect(await isLoggedIn(client), `read ${i + 1} within the idle window`).toBe(true)
    }
    await sleep(3100)
    expect(await isLoggedIn(client), 'after 3 s idle').toBe(false)
  })

  it('expires at the absolute lifetime even while in use', async () => {
    const email = uniqueEmail('absolute')
    const client = new Client({ SESSION_ABSOLUTE_SECONDS: '2' })
    await client.register({ email })
    await client.login(email)
    expect(await isLoggedIn(client)).toBe(true)
    await sleep(1200)
    expect(await isLoggedIn(client)).toBe(true)
    await sleep(1200)
    expect(await isLoggedIn(client), 'past the absolute lifetime').toBe(false)
  })

  it('answers 503 with Retry-After when Redis is unreachable, keeping the cookie', async () => {
    const { client } = await loggedInClient('down')
    const broken = new Client({
      UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:9',
      BACKEND_TIMEOUT_MS: '500',
    })
    broken.cookie = client.cookie
    const api = await broken.request('/fetchStatus')
    expect(api.status).toBe(503)
    expect(api.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(api.headers.getSetCookie()).toEqual([])
    const page = await broken.request('/home', { browser: true })
    expect(page.status).toBe(503)
    expect(page.headers.get('content-type')).toContain('text/html')
    const logout = await broken.request('/logout', { method: 'POST', browser: true })
    expect(logout.status, 'logout fails loudly instead of pretending').toBe(503)
    expect(logout.headers.getSetCookie()).toEqual([])
    expect(await isLoggedIn(client), 'the session survived').toBe(true)
  })
})
