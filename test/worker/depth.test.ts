// Issue 9: the depth of login and sign-up, the round trips one after another on the critical
// path. Both backends sit behind proxies that hold every request for DELAY_MS before passing it
// on; when each request arrived says which ones were in flight together.
import { describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/auth/password'
import { proxiesForFile } from './fault-control'
import { Client, PASSWORD, uniqueEmail } from './helpers'

const DELAY_MS = 300

const net = proxiesForFile({ BACKEND_TIMEOUT_MS: '3000', REQUEST_BUDGET_MS: '10000' })

/** The requests each backend received while `work` ran: when they arrived, and what they were. */
async function traced(work: () => Promise<Response>) {
  const [u0, p0] = await Promise.all([net.upstash.stats(), net.planetscale.stats()])
  await Promise.all([
    net.upstash.set({ mode: 'slow', ms: DELAY_MS }),
    net.planetscale.set({ mode: 'slow', ms: DELAY_MS }),
  ])
  const started = Date.now()
  const response = await work()
  const ms = Date.now() - started
  await Promise.all([net.upstash.set({ mode: 'pass' }), net.planetscale.set({ mode: 'pass' })])
  const [u1, p1] = await Promise.all([net.upstash.stats(), net.planetscale.stats()])
  return {
    response,
    ms,
    started,
    upstash: u1.arrivals.slice(u0.arrivals.length),
    planetscale: p1.arrivals.slice(p0.arrivals.length),
  }
}

/** Argon2id's time in this isolate: Date.now() moves only at I/O, hence the requests around it. */
async function hashMs() {
  await net.upstash.stats()
  const started = Date.now()
  await hashPassword(PASSWORD)
  await net.upstash.stats()
  return Date.now() - started
}

describe('depth', () => {
  it('POST /login: the throttle and the lookup together, then one session pipeline (2 + the hash)', async () => {
    const email = uniqueEmail('depth-login')
    await new Client().register({ email })
    // Loads the throttle's scripts into Redis: a first EVALSHA would fall back to EVAL.
    await new Client().login(email)
    const trace = await traced(() =>
      new Client(net.bindings).request('/login', {
        json: { user_email: email, user_password: PASSWORD },
      })
    )
    console.log(JSON.stringify({ login: trace, hashMs: await hashMs() }))
    expect(trace.response.status).toBe(200)
    expect(trace.upstash, 'Upstash requests').toHaveLength(2)
    expect(trace.planetscale, 'PlanetScale requests').toHaveLength(1)
    const [throttle = 0, session = 0] = trace.upstash
    const [lookup = 0] = trace.planetscale
    expect(Math.abs(lookup - throttle), 'throttle and lookup in flight together').toBeLessThan(
      DELAY_MS / 2
    )
    expect(session - Math.max(throttle, lookup), 'the session waits for both').toBeGreaterThan(
      DELAY_MS
    )
    expect(trace.ms, 'two delays, not three').toBeLessThan(3 * DELAY_MS)
  })

  it('POST /register: the throttle while the password is hashed, then the insert (1 + the hash overlapped)', async () => {
    await new Client().register({ email: uniqueEmail('depth-warm') })
    const hash = await hashMs()
    const email = uniqueEmail('depth-register')
    const trace = await traced(() =>
      new Client(net.bindings).request('/register', {
        json: { user_name: 'Depth', user_email: email, user_password: PASSWORD },
      })
    )
    console.log(JSON.stringify({ register: trace, hashMs: hash }))
    expect(trace.response.status).toBe(201)
    expect(trace.upstash).toHaveLength(1)
    expect(trace.planetscale).toHaveLength(1)
    const [throttle = 0] = trace.upstash
    const [insert = 0] = trace.planetscale
    expect(throttle - trace.started, 'the throttle request leaves before the hash').toBeLessThan(
      hash / 2
    )
    expect(insert - throttle, 'the insert waits for the throttle').toBeGreaterThan(DELAY_MS)
  })
})
