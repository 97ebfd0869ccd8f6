// Each user's index of sessions is bounded: at most SESSIONS_PER_USER live sessions (a login
// beyond it ends the oldest), ended ones forgotten at the next login, /account reads at most the
// cap; sessions indexed by the older set index still end with a password change.
import { env } from 'cloudflare:workers'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from '@upstash/redis/cloudflare'
import { describe, expect, it } from 'vitest'
import { verifySessionCookie } from '../../src/session/cookie'
import { legacySessionsKey, userSessionsKey } from '../../src/session/keys'
import { Client, PASSWORD, uniqueEmail } from './helpers'

const redis = () =>
  new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN })

const isLoggedIn = async (client: Client) => (await client.request('/fetchStatus')).status === 200

async function cookieOf(client: Client) {
  const cookie = client.cookie && (await verifySessionCookie(env.SESSION_SECRET, client.cookie))
  if (!cookie) throw new Error('not logged in')
  return cookie
}

/** `count` clients of one new user, logged in one after the other (oldest first). */
async function sessions(count: number, bindings?: Record<string, string>) {
  const email = uniqueEmail('index')
  await new Client().register({ email })
  const clients: Client[] = []
  for (let i = 0; i < count; i++) {
    const client = new Client(bindings)
    await client.login(email)
    clients.push(client)
  }
  const userId = (await cookieOf(clients[0] as Client)).userId
  return { email, clients, userId }
}

const listed = async (client: Client) =>
  ((await (await client.request('/account')).json()) as { message: unknown[] }).message.length

describe('the sessions index of a user', () => {
  it('keeps at most SESSIONS_PER_USER live sessions: a login beyond it ends the oldest', async () => {
    const cap = { SESSIONS_PER_USER: '3' }
    const { clients, userId } = await sessions(5, cap)
    const live = await Promise.all(clients.map(isLoggedIn))
    expect(live, 'the two oldest were ended').toEqual([false, false, true, true, true])
    expect(await listed(clients[4] as Client)).toBe(3)
    expect(await redis().zcard(userSessionsKey(userId))).toBe(3)
  })

  it('defaults to 50 sessions per user: /account lists at most 50', async () => {
    const { clients, userId } = await sessions(53)
    expect(await listed(clients[52] as Client)).toBe(50)
    expect(await redis().zcard(userSessionsKey(userId))).toBe(50)
    expect(await isLoggedIn(clients[2] as Client), 'the oldest are gone').toBe(false)
    expect(await isLoggedIn(clients[3] as Client)).toBe(true)
  }, 60_000)

  it('forgets sessions that expired at the next login', async () => {
    const short = { SESSION_IDLE_SECONDS: '1' }
    const { email, userId } = await sessions(4, short)
    expect(await redis().zcard(userSessionsKey(userId))).toBe(4)
    await sleep(2100)
    await new Client(short).login(email)
    expect(await redis().zcard(userSessionsKey(userId)), 'only the new one').toBe(1)
  })

  it('a password change also ends sessions of the older set index', async () => {
    const { clients, userId } = await sessions(2)
    const [owner, legacy] = clients as [Client, Client]
    // As a session made before the index was sorted: a member of the set index only.
    const { idHash } = await cookieOf(legacy)
    await redis().zrem(userSessionsKey(userId), idHash)
    await redis().sadd(legacySessionsKey(userId), idHash)
    expect(await isLoggedIn(legacy)).toBe(true)
    const change = await owner.request('/account/password', {
      json: { current_password: PASSWORD, new_password: 'a different passphrase, long' },
    })
    expect(change.status).toBe(200)
    expect(await isLoggedIn(legacy), 'the older session has ended').toBe(false)
    expect(await redis().exists(legacySessionsKey(userId))).toBe(0)
  })
})
