// Users double-click and race themselves. Simultaneous sign-ups, posts, logouts and
// password guesses, against the test gateways (real Redis and MariaDB).
import { env } from 'cloudflare:workers'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect } from '@planetscale/database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, PASSWORD, uniqueEmail } from './helpers'
import { allStatuses, quietLogs, tally } from './reliability'

const db = () => connect({ url: env.DATABASE_URL })

async function usersWithEmail(email: string): Promise<number> {
  const result = await db().execute('SELECT COUNT(*) AS n FROM users WHERE email = ?', [email])
  return Number((result.rows[0] as { n: unknown }).n)
}

const statusesOf = (responses: Response[]) => tally(responses.map((r) => String(r.status)))

let logs: ReturnType<typeof quietLogs>
beforeAll(() => {
  logs = quietLogs()
})
afterAll(() => {
  logs.restore()
  expect(logs.errors, 'nothing unhandled was logged').toEqual([])
})

/**
 * Everything here runs in one isolate: 50 sign-ups are ~2 s of synchronous Argon2id in a row, and
 * 1,000 posts queue for the gateways' few connections, more so on a busy 2-core CI machine.
 * Backend answers wait in that queue, and the default budget would time them out (503, which is
 * what it is for). These tests are about races, so their budget covers the whole queue; budgets
 * themselves are tested in bounded.test.ts and faults.test.ts.
 */
const WHOLE_QUEUE = { BACKEND_TIMEOUT_MS: '60000', REQUEST_BUDGET_MS: '60000' }

describe('simultaneous sign-ups with one email', () => {
  it('50 at once: exactly one account, 49 clean 409s', async () => {
    const email = uniqueEmail('race')
    // Case and spacing vary: the address is normalized before the unique index decides.
    const spelling = (i: number) => (i % 3 === 0 ? ` ${email.toUpperCase()}` : email)
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        new Client(WHOLE_QUEUE).request('/register', {
          json: { user_name: `Racer ${i}`, user_email: spelling(i), user_password: PASSWORD },
        })
      )
    )
    const counts = statusesOf(responses)
    expect(Object.fromEntries(counts)).toEqual({ '201': 1, '409': 49 })
    for (const response of responses.filter((r) => r.status === 409)) {
      expect(await response.json()).toMatchObject({ error: true, code: 'email_taken' })
    }
    expect(await usersWithEmail(email)).toBe(1)
    await new Client().login(email)
  }, 60_000)
})

describe('simultaneous status posts', () => {
  it('1,000 posts from 20 users at once: each stored exactly once', async () => {
    const users: { client: Client }[] = []
    for (let i = 0; i < 20; i++) {
      const client = new Client(WHOLE_QUEUE)
      const email = uniqueEmail(`poster${i}`)
      await client.register({ email })
      await client.login(email)
      users.push({ client })
    }
    const posts = users.flatMap(({ client }, u) =>
      Array.from({ length: 50 }, (_, n) => ({ client, text: `user ${u} post ${n}` }))
    )
    const started = Date.now()
    const responses = await Promise.all(
      posts.map(({ client, text }) => client.request('/addStatus', { json: { status: text } }))
    )
    const ms = Date.now() - started
    console.log(JSON.stringify({ posts: responses.length, ms }))
    expect(Object.fromEntries(statusesOf(responses))).toEqual({ '201': 1000 })
    const ids = await Promise.all(
      responses.map(async (r) => ((await r.json()) as { id: string }).id)
    )
    expect(new Set(ids).size, 'distinct ids').toBe(1000)
    for (const [u, { client }] of users.entries()) {
      const listed = await allStatuses(client)
      const expected = Array.from({ length: 50 }, (_, n) => `user ${u} post ${n}`)
      expect([...listed].sort(), `user ${u}'s statuses`).toEqual(expected.sort())
    }
  }, 90_000)
})

describe('logout racing with in-flight requests', () => {
  it('the session stays dead, whatever was in flight (10 rounds)', async () => {
    for (let round = 0; round < 10; round++) {
      const email = uniqueEmail(`logout-race${round}`)
      const racer = new Client()
      await racer.register({ email })
      await racer.login(email)
      const witness = new Client()
      await witness.login(email)
      const cookie = racer.cookie
      // Same cookie, separate jars: a Set-Cookie on one answer must not change the others.
      const withCookie = () => {
        const client = new Client()
        client.cookie = cookie
        return client
      }
      const inFlight = [
        ...Array.from({ length: 6 }, () => withCookie().request('/fetchStatus')),
        ...Array.from({ length: 6 }, (_, i) =>
          withCookie().request('/addStatus', { json: { status: `round ${round} ${i}` } })
        ),
        ...Array.from({ length: 4 }, () => withCookie().request('/home', { browser: true })),
        ...Array.from({ length: 4 }, () => withCookie().request('/account')),
      ]
      const logoutAt = Math.floor(Math.random() * inFlight.length)
      inFlight.splice(
        logoutAt,
        0,
        withCookie().request('/logout', { method: 'POST', browser: true })
      )
      const responses = await Promise.all(inFlight)
      expect(responses[logoutAt]?.status, 'logout').toBe(303)
      for (const response of responses) {
        expect([200, 201, 302, 303, 401], `round ${round}`).toContain(response.status)
      }

      const dead = withCookie()
      for (let check = 0; check < 2; check++) {
        expect((await dead.request('/fetchStatus')).status, `round ${round}: API`).toBe(401)
        const page = await dead.request('/home', { browser: true })
        expect(page.headers.get('location'), `round ${round}: page`).toBe('/')
        await sleep(50)
      }
      const sessions = (await (await witness.request('/account')).json()) as {
        message: { current: boolean }[]
      }
      expect(
        sessions.message.map((s) => s.current),
        `round ${round}: only the witness's session is left`
      ).toEqual([true])
    }
  }, 90_000)
})

describe('throttling under parallel guesses', () => {
  const limits = {
    ...WHOLE_QUEUE,
    LOGIN_LIMIT_PER_ACCOUNT: '5',
    LOGIN_LIMIT_PER_ADDRESS: '10',
    REGISTER_LIMIT_PER_ADDRESS: '10',
  }

  it('40 parallel wrong passwords for one account from 40 addresses: exactly 5 are checked (the account-wide limit), 35 throttled', async () => {
    const email = uniqueEmail('guess')
    await new Client().register({ email })
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        new Client(limits).request('/login', {
          json: { user_email: email, user_password: `guess number ${i}` },
        })
      )
    )
    expect(Object.fromEntries(statusesOf(responses))).toEqual({ '401': 5, '429': 35 })
    for (const response of responses.filter((r) => r.status === 429)) {
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/)
    }
    // The account-wide window is spent: even the right password, from yet another address, waits.
    const right = await new Client(limits).request('/login', {
      json: { user_email: email, user_password: PASSWORD },
    })
    expect(right.status).toBe(429)
  }, 60_000)

  it('40 parallel logins from one address: exactly 10 get through', async () => {
    const client = new Client(limits)
    const responses = await Promise.all(
      Array.from({ length: 40 }, () =>
        client.request('/login', {
          json: { user_email: uniqueEmail('spray'), user_password: PASSWORD },
        })
      )
    )
    expect(Object.fromEntries(statusesOf(responses))).toEqual({ '401': 10, '429': 30 })
  }, 60_000)

  it('30 parallel sign-ups from one address: exactly 10 accounts', async () => {
    const client = new Client(limits)
    const emails = Array.from({ length: 30 }, () => uniqueEmail('flood'))
    const responses = await Promise.all(
      emails.map((email) =>
        client.request('/register', {
          json: { user_name: 'Flood', user_email: email, user_password: PASSWORD },
        })
      )
    )
    expect(Object.fromEntries(statusesOf(responses))).toEqual({ '201': 10, '429': 20 })
    const created = await Promise.all(emails.map(usersWithEmail))
    expect(created.reduce((a, b) => a + b, 0)).toBe(10)
  }, 60_000)
})
