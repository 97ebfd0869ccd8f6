// The app with DATABASE_REPLICA_URL set, in workerd: the last-write cookie and the idle refresh.
// Here the "replica" is the primary's own gateway (no lag): what is checked is what the app sends
// and keeps, not replication (test/node/replicas.test.ts runs the real topology).
import { env } from 'cloudflare:workers'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from '@upstash/redis/cloudflare'
import { describe, expect, it } from 'vitest'
import { verifySessionCookie } from '../../src/session/cookie'
import { sessionKey } from '../../src/session/keys'
import { Client, PASSWORD, uniqueEmail } from './helpers'

const IDLE_SECONDS = 60
const REPLICAS = {
  DATABASE_REPLICA_URL: env.DATABASE_URL,
  READ_PRIMARY_AFTER_WRITE_MS: '2000',
  SESSION_IDLE_SECONDS: String(IDLE_SECONDS),
}
const redis = () =>
  new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN })

const lastWriteOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .find((line) => line.startsWith('__Host-rw='))
    ?.split(';')[0]
    ?.slice('__Host-rw='.length)

async function loggedIn() {
  const client = new Client(REPLICAS)
  const email = uniqueEmail('replica-mode')
  await client.register({ email })
  const login = await client.login(email)
  return { client, email, login }
}

describe('with DATABASE_REPLICA_URL', () => {
  it('a write sends the last-write cookie (signed, __Host-, HttpOnly); a read does not', async () => {
    const { client, login } = await loggedIn()
    const line = login.headers.getSetCookie().find((cookie) => cookie.startsWith('__Host-rw='))
    expect(line, 'login sets the last-write cookie').toMatch(/HttpOnly; Secure; SameSite=Lax/)
    const posted = await client.request('/addStatus', { json: { status: 'near and far' } })
    expect(posted.status).toBe(201)
    const afterPost = lastWriteOf(posted)
    expect(afterPost, 'a post sets it too').toBeDefined()
    const read = await client.request('/fetchStatus', {
      headers: { cookie: `__Host-sid=${client.cookie}; __Host-rw=${afterPost}` },
    })
    expect(read.status).toBe(200)
    expect(lastWriteOf(read), 'a read changes nothing').toBeUndefined()
  })

  it('a forged or malformed last-write cookie counts as none: the request is served', async () => {
    const { client } = await loggedIn()
    for (const forged of [
      '1.abc.' + 'A'.repeat(43),
      'zzz',
      `${'9'.repeat(12)}..${'B'.repeat(43)}`,
    ]) {
      const response = await client.request('/fetchStatus', {
        headers: { cookie: `__Host-sid=${client.cookie}; __Host-rw=${forged}` },
      })
      expect(response.status, forged).toBe(200)
    }
  })

  it('refreshes the idle timeout after the answer, and only once less than half is left', async () => {
    const { client } = await loggedIn()
    const verified = await verifySessionCookie(env.SESSION_SECRET, client.cookie ?? '')
    const key = sessionKey(verified?.idHash ?? '')
    // More than half left: a read leaves the TTL alone (GET and PTTL only).
    await redis().expire(key, IDLE_SECONDS - 5)
    expect((await client.request('/fetchStatus')).status).toBe(200)
    expect(await redis().ttl(key)).toBeLessThanOrEqual(IDLE_SECONDS - 5)
    // Less than half left: the read refreshes it, after answering (waitUntil).
    await redis().expire(key, IDLE_SECONDS / 2 - 5)
    expect((await client.request('/fetchStatus')).status).toBe(200)
    let ttl = 0
    for (let i = 0; i < 20 && ttl < IDLE_SECONDS - 5; i++) {
      ttl = await redis().ttl(key)
      if (ttl < IDLE_SECONDS - 5) await sleep(50)
    }
    expect(ttl).toBeGreaterThan(IDLE_SECONDS - 5)
  })

  it('account actions check the session at the primary: a revoked one is refused at once', async () => {
    const { client, email } = await loggedIn()
    const other = new Client(REPLICAS)
    await other.login(email, PASSWORD)
    const everywhere = await client.request('/account/logout-everywhere', { json: {} })
    expect(everywhere.status).toBe(200)
    const action = await other.request('/account/password', {
      json: { current_password: PASSWORD, new_password: `${PASSWORD} again` },
    })
    expect(action.status).toBe(401)
  })
})
