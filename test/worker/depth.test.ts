import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/auth/password'
import { Client, PASSWORD, uniqueEmail } from './helpers'

/**
 * Depth: how many backend round trips a request makes one after another (docs/architecture.md,
 * "Request budgets"). The app runs here against a second pair of gateways on the same data whose
 * every answer waits 200 ms; their own records of when each request started and ended give the
 * longest chain of calls in sequence. At that distance calls in sequence never overlap and calls
 * in parallel always do, so the count is exact, not a timing.
 */
const DISTANT = {
  UPSTASH_REDIS_REST_URL: env.DISTANT_UPSTASH_REDIS_REST_URL,
  DATABASE_URL: env.DISTANT_DATABASE_URL,
}

type Interval = [start: number, end: number]

async function stats(url: string, authorization: string) {
  const response = await fetch(`${url}/__stats`, { headers: { authorization } })
  return (await response.json()) as { requests: number; recent: Interval[] }
}

function planetscaleStats() {
  const url = new URL(env.DISTANT_DATABASE_URL)
  const auth = `Basic ${btoa(`${url.username}:${url.password}`)}`
  return stats(`${url.protocol}//${url.host}`, auth)
}

const upstashStats = () =>
  stats(env.DISTANT_UPSTASH_REDIS_REST_URL, `Bearer ${env.UPSTASH_REDIS_REST_TOKEN}`)

/** The longest chain of intervals each starting after the previous one ended. */
function longestChain(intervals: Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0])
  const chain: number[] = []
  sorted.forEach(([start], i) => {
    const before = sorted.slice(0, i).map(([, end], j) => (end <= start ? (chain[j] ?? 0) : 0))
    chain.push(1 + Math.max(0, ...before))
  })
  return Math.max(0, ...chain)
}

/** The backend calls of one request, from both distant gateways' records. */
async function traced(send: () => Promise<Response>) {
  const [upstash0, planetscale0] = await Promise.all([upstashStats(), planetscaleStats()])
  // Date.now() moves at I/O only: this is when the stats came back, just before the request.
  const started = Date.now()
  const response = await send()
  await response.arrayBuffer()
  const [upstash1, planetscale1] = await Promise.all([upstashStats(), planetscaleStats()])
  const newest = (recent: Interval[], count: number) => recent.slice(recent.length - count)
  const upstash = newest(upstash1.recent, upstash1.requests - upstash0.requests)
  const planetscale = newest(planetscale1.recent, planetscale1.requests - planetscale0.requests)
  return { status: response.status, started, upstash, planetscale }
}

async function depthOf(send: () => Promise<Response>) {
  const { status, upstash, planetscale } = await traced(send)
  return {
    status,
    upstash: upstash.length,
    planetscale: planetscale.length,
    depth: longestChain([...upstash, ...planetscale]),
  }
}

/** Argon2id's time in this isolate, measured between two requests (the clock moves at I/O). */
async function hashMs() {
  await upstashStats()
  const started = Date.now()
  await hashPassword(PASSWORD)
  await upstashStats()
  return Date.now() - started
}

/** A user registered and logged in on the near gateways, then used at a distance. */
async function distantUser(label: string) {
  const near = new Client()
  const email = uniqueEmail(label)
  await near.register({ email })
  await near.login(email)
  await near.request('/addStatus', { json: { status: 'something to list' } })
  const client = new Client(DISTANT)
  client.cookie = near.cookie
  return { client, email }
}

describe('longestChain', () => {
  it('counts calls in sequence, not calls in parallel', () => {
    expect(longestChain([])).toBe(0)
    expect(longestChain([[0, 10]])).toBe(1)
    expect(
      longestChain([
        [0, 10],
        [1, 11],
      ])
    ).toBe(1)
    expect(
      longestChain([
        [0, 10],
        [10, 20],
      ])
    ).toBe(2)
    expect(
      longestChain([
        [0, 10],
        [1, 11],
        [12, 22],
        [13, 14],
        [23, 30],
      ])
    ).toBe(3)
  })
})

describe('depth: backend round trips in sequence, at 200 ms each', () => {
  it('anonymous GET /: none', async () => {
    const client = new Client(DISTANT)
    expect(await depthOf(() => client.request('/', { browser: true }))).toEqual({
      status: 200,
      upstash: 0,
      planetscale: 0,
      depth: 0,
    })
  })

  it('GET /home and GET /fetchStatus: 1, the session check and the query together', async () => {
    const { client } = await distantUser('depth-read')
    for (const [path, browser] of [
      ['/home', true],
      ['/fetchStatus', false],
    ] as const) {
      expect(await depthOf(() => client.request(path, { browser })), path).toEqual({
        status: 200,
        upstash: 1,
        planetscale: 1,
        depth: 1,
      })
    }
  })

  it('POST /addStatus: 2, the insert after the session check', async () => {
    const { client } = await distantUser('depth-post')
    expect(
      await depthOf(() => client.request('/addStatus', { json: { status: 'from far away' } }))
    ).toEqual({ status: 201, upstash: 1, planetscale: 1, depth: 2 })
  })

  it('GET /account: 1, the session and the sessions index in one pipeline', async () => {
    const { client } = await distantUser('depth-account')
    expect(await depthOf(() => client.request('/account', { browser: true }))).toEqual({
      status: 200,
      upstash: 1,
      planetscale: 0,
      depth: 1,
    })
  })

  it('POST /login: 2 plus the hash: the throttle check with the lookup, then one session pipeline', async () => {
    const email = uniqueEmail('depth-login')
    await new Client().register({ email })
    const client = new Client(DISTANT)
    const login = (password: string) =>
      depthOf(() =>
        client.request('/login', { json: { user_email: email, user_password: password } })
      )
    // The first login through these gateways loads the throttle's scripts (an EVALSHA falls back
    // to EVAL once per gateway).
    await login(PASSWORD)
    expect(await login(PASSWORD), 'success').toEqual({
      status: 200,
      upstash: 2,
      planetscale: 1,
      depth: 2,
    })
    expect(await login('not the password at all'), 'a wrong password').toEqual({
      status: 401,
      upstash: 1,
      planetscale: 1,
      depth: 1,
    })
  })

  it('POST /register: the throttle check in flight while the password is hashed, then the insert', async () => {
    await new Client().register({ email: uniqueEmail('depth-warm') })
    const hash = await hashMs()
    const client = new Client(DISTANT)
    const json = {
      user_name: 'Depth',
      user_email: uniqueEmail('depth-register'),
      user_password: PASSWORD,
    }
    const trace = await traced(() => client.request('/register', { json }))
    expect(trace.status).toBe(201)
    const [throttle] = trace.upstash
    const [insert] = trace.planetscale
    if (!throttle || !insert || trace.upstash.length + trace.planetscale.length !== 2) {
      throw new Error(`one throttle check and one insert expected: ${JSON.stringify(trace)}`)
    }
    expect(longestChain([throttle, insert]), 'the insert waits for the throttle check').toBe(2)
    expect(throttle[0] - trace.started, `the check leaves before the ${hash} ms hash`).toBeLessThan(
      hash / 2
    )
  })

  it("a browser's POST /register: 3 plus the hash: the throttle check, the insert, the new session", async () => {
    await new Client().register({ email: uniqueEmail('depth-warm') })
    const client = new Client(DISTANT)
    const form = {
      user_name: 'Depth',
      user_email: uniqueEmail('depth-register-form'),
      user_password: PASSWORD,
    }
    expect(await depthOf(() => client.request('/register', { form, browser: true }))).toEqual({
      status: 303,
      upstash: 2,
      planetscale: 1,
      depth: 3,
    })
  })

  it('POST /logout: 1', async () => {
    const { client } = await distantUser('depth-logout')
    expect(
      await depthOf(() => client.request('/logout', { method: 'POST', browser: true }))
    ).toEqual({ status: 303, upstash: 1, planetscale: 0, depth: 1 })
  })
})
