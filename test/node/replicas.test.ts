// The app with replicas, as deployed at the edge: two Worker instances (wrangler dev) in front of an
// Upstash gateway that reads from a Redis replica and a read-only PlanetScale region, both
// replicating with a real lag (LAG_MS on the replication link). Whatever instance serves a browser,
// it sees its own writes; without the last-write cookie the lag shows; a revocation reaches every
// route within the lag and a small bound; reads in the steady state never reach a primary.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { startPlanetScaleGateway } from '@edge-status/planetscale-gateway'
import { startUpstashGateway } from '@edge-status/upstash-gateway'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OwnedProcess } from '../../scripts/lib/launcher.ts'
import { startPairs } from '../../scripts/local/replicas.ts'
import { migrate } from '../../scripts/migrate.ts'
import { startWranglerDev } from './wrangler-dev.ts'

const LAG_MS = 250
const NEAR_MS = 5
const FAR_MS = 100
/** After a PlanetScale write, a browser's reads go to the primary this long (the app's setting). */
const READ_PRIMARY_AFTER_WRITE_MS = 1500
/** What a revocation may take beyond the lag: polling, the gateways' near latency, the servers. */
const REVOCATION_SLACK_MS = 250
const TOKEN = 'replicas-test-token'
const DATABASE = 'edge_status_replicas'
const PASSWORD = 'correct horse battery staple'

let dir = ''
/** Stops the replication pairs, whichever started. */
const cleanups: (() => Promise<void>)[] = []
const gateways: RunningGateway[] = []
let upstash: RunningGateway
let primaryDb: RunningGateway
let replicaDb: RunningGateway
const instances: OwnedProcess[] = []
/** The two Worker instances' base URLs. */
let appA = ''
let appB = ''

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replicas-app-test-'))
  const settings = { nearMs: NEAR_MS, farMs: FAR_MS, lagMs: LAG_MS }
  const { redis: redisPair, mariadb: mariadbPair } = await startPairs(
    settings,
    { localDir: dir, log: () => {} },
    cleanups
  )

  const password = randomBytes(8).toString('hex')
  upstash = await startUpstashGateway({
    redisUrl: redisPair.primaryUrl,
    tokens: { [TOKEN]: 0 },
    latencyMs: FAR_MS,
    replica: { redisUrl: redisPair.replicaUrl, latencyMs: NEAR_MS },
  })
  gateways.push(upstash)
  primaryDb = await startPlanetScaleGateway({
    mysqlUrl: mariadbPair.primaryUrl,
    users: { app: { password, database: DATABASE } },
    latencyMs: FAR_MS,
  })
  gateways.push(primaryDb)
  const databaseUrl = primaryDb.url.replace('://', `://app:${password}@`)
  await migrate(databaseUrl)
  await mariadbPair.caughtUp()
  replicaDb = await startPlanetScaleGateway({
    mysqlUrl: mariadbPair.replicaAdminUrl,
    users: { reader: { password, database: DATABASE } },
    latencyMs: NEAR_MS,
    readOnly: true,
  })
  gateways.push(replicaDb)

  const vars = {
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: TOKEN,
    DATABASE_URL: databaseUrl,
    DATABASE_REPLICA_URL: replicaDb.url.replace('://', `://reader:${password}@`),
    READ_PRIMARY_AFTER_WRITE_MS: String(READ_PRIMARY_AFTER_WRITE_MS),
    SESSION_SECRET: randomBytes(32).toString('hex'),
  }
  const [a, b] = await Promise.all([startWranglerDev(vars), startWranglerDev(vars)])
  instances.push(a.process, b.process)
  appA = a.url
  appB = b.url
}, 240_000)

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()))
  await Promise.all(gateways.map((gateway) => gateway.close()))
  await Promise.all(cleanups.map((cleanup) => cleanup()))
  if (dir) rmSync(dir, { recursive: true, force: true })
}, 60_000)

/** A browser of sorts: keeps every cookie it is given, talks JSON, has an address of its own. */
class Browser {
  readonly cookies = new Map<string, string>()
  readonly address = `198.51.100.${1 + Math.floor(Math.random() * 250)}`
  readonly email: string

  constructor(email = `replica-${randomBytes(6).toString('hex')}@example.test`) {
    this.email = email
  }

  async request(base: string, path: string, json?: unknown, keep = true): Promise<Response> {
    const headers: Record<string, string> = { 'cf-connecting-ip': this.address }
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    if (cookie) headers.cookie = cookie
    if (json !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${base}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
      redirect: 'manual',
    })
    if (keep) {
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';')
        const at = pair.indexOf('=')
        const value = pair.slice(at + 1)
        if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, at))
        else this.cookies.set(pair.slice(0, at), value)
      }
    }
    return response
  }

  async signUpAndLogIn(base: string) {
    const registered = await this.request(base, '/register', {
      user_name: 'Replica User',
      user_email: this.email,
      user_password: PASSWORD,
    })
    expect(registered.status, await registered.clone().text()).toBe(201)
    const login = await this.request(base, '/login', {
      user_email: this.email,
      user_password: PASSWORD,
    })
    expect(login.status, await login.clone().text()).toBe(200)
  }

  async newestStatus(base: string, keepCookies = true): Promise<string | undefined> {
    const response = await this.request(base, '/fetchStatus?limit=1', undefined, keepCookies)
    expect(response.status).toBe(200)
    const body = (await response.json()) as { message: { user_status: string }[] }
    return body.message[0]?.user_status
  }
}

async function loggedIn(base = appA) {
  const browser = new Browser()
  await browser.signUpAndLogIn(base)
  return browser
}

/** Posts and at once reads on the other instance, `pairs` times; how many reads missed the post. */
async function postThenRead(browser: Browser, pairs: number, withLastWrite: boolean) {
  let stale = 0
  for (let i = 0; i < pairs; i++) {
    const text = `status ${i} ${randomBytes(4).toString('hex')}`
    const posted = await browser.request(appA, '/addStatus', { status: text })
    expect(posted.status).toBe(201)
    const cookies = new Map(browser.cookies)
    if (!withLastWrite) browser.cookies.delete('__Host-rw')
    if ((await browser.newestStatus(appB, withLastWrite)) !== text) stale++
    browser.cookies.clear()
    for (const [name, value] of cookies) browser.cookies.set(name, value)
  }
  return stale
}

describe('read-your-writes across two instances, replicas lagging 250 ms', () => {
  it('200 post-then-read pairs, the read on the other instance: 0 stale', async () => {
    const browsers = await Promise.all(Array.from({ length: 10 }, () => loggedIn()))
    const stale = await Promise.all(browsers.map((browser) => postThenRead(browser, 20, true)))
    expect(
      stale.reduce((a, b) => a + b, 0),
      `stale reads per browser: ${stale}`
    ).toBe(0)
  }, 120_000)

  it('the first request after login, on the other instance, is logged in (20 of 20)', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const browser = await loggedIn(appA)
        return (await browser.request(appB, '/fetchStatus')).status
      })
    )
    expect(results).toEqual(results.map(() => 200))
  }, 60_000)

  it('without the last-write cookie the same reads do see stale data (the lag is real)', async () => {
    const browsers = await Promise.all(Array.from({ length: 4 }, () => loggedIn()))
    const stale = await Promise.all(browsers.map((browser) => postThenRead(browser, 5, false)))
    expect(stale.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
  }, 60_000)
})

describe('revocation', () => {
  it(`reaches every route within the lag + ${REVOCATION_SLACK_MS} ms, account actions at once`, async () => {
    const owner = await loggedIn(appA)
    const other = new Browser(owner.email)
    const login = await other.request(appB, '/login', {
      user_email: owner.email,
      user_password: PASSWORD,
    })
    expect(login.status).toBe(200)
    // Steady state: both sessions are on the replica long before the revocation.
    await new Promise((resolve) => setTimeout(resolve, LAG_MS * 2))
    expect((await other.request(appB, '/fetchStatus')).status).toBe(200)

    const list = await owner.request(appA, '/account')
    const sessions = ((await list.json()) as { message: { idHash: string; current: boolean }[] })
      .message
    const target = sessions.find((session) => !session.current)
    expect(target, 'the other session is listed').toBeDefined()
    const revoked = await owner.request(appA, '/account/sessions/revoke', {
      session: target?.idHash,
    })
    expect(revoked.status).toBe(200)
    const revokedAt = performance.now()

    // An account action checks the session at the primary: refused at once.
    const action = await other.request(appB, '/account/logout-everywhere', {}, false)
    expect(action.status).toBe(401)

    let refusedAfter = Number.POSITIVE_INFINITY
    while (performance.now() - revokedAt < 3000) {
      const read = await other.request(appB, '/fetchStatus', undefined, false)
      if (read.status === 401) {
        refusedAfter = performance.now() - revokedAt
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    console.info(`revocation reached /fetchStatus after ${refusedAfter.toFixed(0)} ms`)
    expect(refusedAfter).toBeLessThanOrEqual(LAG_MS + REVOCATION_SLACK_MS)
  }, 60_000)
})

describe('isolation of sync tokens', () => {
  it("one user's reads do not wait for another user's writes on the same instance", async () => {
    const reader = await loggedIn(appA)
    const writer = await loggedIn(appA)
    // Past the reader's own primary window: its reads are the replica's from now on.
    await new Promise((resolve) => setTimeout(resolve, READ_PRIMARY_AFTER_WRITE_MS))
    let writing = true
    // Three loops of Upstash writes (a revocation of a session that does not exist: the session
    // check at the primary and the script), so a shared token would always be a fresh one.
    const writes = Array.from({ length: 3 }, async () => {
      while (writing) {
        const session = randomBytes(32).toString('base64url')
        await writer.request(appA, '/account/sessions/revoke', { session })
      }
    })
    const latencies: number[] = []
    for (let i = 0; i < 40; i++) {
      const started = performance.now()
      expect((await reader.request(appA, '/fetchStatus')).status).toBe(200)
      latencies.push(performance.now() - started)
    }
    writing = false
    await Promise.all(writes)
    latencies.sort((a, b) => a - b)
    // A read carrying the writer's token waits most of the lag (with a token shared by the
    // isolate's client, about one read in four here did); one slow read is allowed for noise.
    const slow = latencies.filter((ms) => ms > LAG_MS / 2).length
    const shown = latencies.map((ms) => ms.toFixed(0)).join(', ')
    expect(slow, `read latencies (ms): ${shown}`).toBeLessThanOrEqual(1)
  }, 60_000)
})

describe('requests to the primaries, read from the gateways', () => {
  /** Answers per copy while `work` runs: Upstash's by target, PlanetScale's by gateway. */
  async function answersDuring(work: () => Promise<unknown>) {
    const count = (gateway: RunningGateway, credential: string) =>
      gateway.stats().requests[credential] ?? 0
    const counts = {
      upstash: count(upstash, TOKEN),
      primary: count(primaryDb, 'app'),
      replica: count(replicaDb, 'reader'),
    }
    await work()
    const since = (gateway: RunningGateway, credential: string, before: number) => {
      const fresh = count(gateway, credential) - before
      return fresh === 0 ? [] : gateway.answers(credential).slice(-fresh)
    }
    const upstashNew = since(upstash, TOKEN, counts.upstash)
    const upstashPrimary = upstashNew.filter((answer) => answer.target === 'primary')
    const databasePrimary = since(primaryDb, 'app', counts.primary)
    return {
      upstashPrimary: upstashPrimary.length,
      upstashReplica: upstashNew.filter((answer) => answer.target === 'replica').length,
      databasePrimary: databasePrimary.length,
      databaseReplica: count(replicaDb, 'reader') - counts.replica,
      primaryDepth: depth([...upstashPrimary, ...databasePrimary]),
    }
  }

  /**
   * The longest chain of requests one after another: one follows another once it starts past the
   * other's midpoint (calls in parallel overlap by far more at this distance).
   */
  function depth(answers: { start: number; end: number }[]): number {
    const sorted = [...answers].sort((a, b) => a.start - b.start)
    const chain: number[] = []
    sorted.forEach((answer, i) => {
      const before = sorted
        .slice(0, i)
        .map((other, j) => (answer.start >= (other.start + other.end) / 2 ? (chain[j] ?? 0) : 0))
      chain.push(1 + Math.max(0, ...before))
    })
    return Math.max(0, ...chain)
  }

  it('steady-state reads (/home, /fetchStatus, /account) reach no primary', async () => {
    const browser = await loggedIn(appA)
    await new Promise((resolve) => setTimeout(resolve, READ_PRIMARY_AFTER_WRITE_MS))
    for (const path of ['/home', '/fetchStatus', '/account']) {
      const used = await answersDuring(async () => {
        const response = await browser.request(appB, path)
        expect(response.status, path).toBe(200)
      })
      expect(used.upstashPrimary + used.databasePrimary, `${path}: ${JSON.stringify(used)}`).toBe(0)
      expect(used.upstashReplica, path).toBe(1)
    }
  }, 30_000)

  it('primary requests in sequence: a post one, logout one, login two', async () => {
    const browser = await loggedIn(appA)
    await new Promise((resolve) => setTimeout(resolve, READ_PRIMARY_AFTER_WRITE_MS))
    const post = await answersDuring(() => browser.request(appB, '/addStatus', { status: 'hi' }))
    expect(post.upstashPrimary + post.databasePrimary, JSON.stringify(post)).toBe(1)
    expect(post.primaryDepth).toBe(1)
    const logout = await answersDuring(() => browser.request(appB, '/logout', {}))
    expect(logout.upstashPrimary + logout.databasePrimary, JSON.stringify(logout)).toBe(1)
    const login = await answersDuring(() =>
      browser.request(appB, '/login', { user_email: browser.email, user_password: PASSWORD })
    )
    // The throttle and the user lookup in parallel, then the session: two in sequence.
    expect(login.upstashPrimary, JSON.stringify(login)).toBe(2)
    expect(login.databasePrimary, JSON.stringify(login)).toBe(1)
    expect(login.primaryDepth, JSON.stringify(login)).toBe(2)
  }, 30_000)
})
