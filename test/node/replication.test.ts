// A global deployment in miniature: private Redis and MariaDB primary/replica pairs replicating
// through a link that lags LAG_MS, the Upstash gateway reading from the replica, and a read-only
// PlanetScale region, all used through the unmodified clients.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { startPlanetScaleGateway } from '@edge-status/planetscale-gateway'
import { startUpstashGateway } from '@edge-status/upstash-gateway'
import { Client, DatabaseError } from '@planetscale/database'
import { Redis } from '@upstash/redis'
import { Redis as DirectRedis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeToken } from '../../packages/upstash-gateway/src/sync-token.ts'
import { parseLocalFlags } from '../../scripts/local/cli.ts'
import {
  type MariadbPair,
  type RedisPair,
  startMariadbPair,
  startRedisPair,
} from '../../scripts/local/replication.ts'

const LAG_MS = 250
const NEAR_MS = 5
const FAR_MS = 100
const SYNC_WAIT_MS = 1000
/** How late past LAG_MS a write may reach the replica (timers, polling, the servers' own work). */
const LAG_SLACK_MS = 150
const TOKEN = 'replication-test-token'
const DATABASE = 'replication_test'

let dir: string
let redisPair: RedisPair
let mariadbPair: MariadbPair
const gateways: RunningGateway[] = []
let upstash: RunningGateway
/** The same pair, but reads never wait for the replica longer than 20 ms. */
let impatient: RunningGateway
let planetscale: RunningGateway
let readOnly: RunningGateway

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'replication-test-'))
  const options = { localDir: dir, lagMs: LAG_MS, log: () => {} }
  const [redis, mariadb] = await Promise.allSettled([
    startRedisPair(options),
    startMariadbPair(options),
  ])
  // Whichever started is stopped by afterAll, even when the other failed.
  if (redis.status === 'fulfilled') redisPair = redis.value
  if (mariadb.status === 'fulfilled') mariadbPair = mariadb.value
  if (redis.status === 'rejected') throw redis.reason
  if (mariadb.status === 'rejected') throw mariadb.reason

  const replica = { redisUrl: redisPair.replicaUrl, latencyMs: NEAR_MS }
  const tokens = { [TOKEN]: 0 }
  upstash = await startUpstashGateway({
    redisUrl: redisPair.primaryUrl,
    tokens,
    latencyMs: FAR_MS,
    replica: { ...replica, syncWaitMs: SYNC_WAIT_MS },
  })
  impatient = await startUpstashGateway({
    redisUrl: redisPair.primaryUrl,
    tokens,
    latencyMs: FAR_MS,
    replica: { ...replica, syncWaitMs: 20 },
  })
  planetscale = await startPlanetScaleGateway({
    mysqlUrl: mariadbPair.primaryUrl,
    users: { app: { password: 'app-secret', database: DATABASE } },
    latencyMs: FAR_MS,
  })
  await new Client({ url: psUrl(planetscale, 'app', 'app-secret') }).execute(
    'CREATE TABLE IF NOT EXISTS notes (id INT PRIMARY KEY, body TEXT)'
  )
  await mariadbPair.caughtUp()
  readOnly = await startPlanetScaleGateway({
    mysqlUrl: mariadbPair.replicaAdminUrl,
    users: { reader: { password: 'reader-secret', database: DATABASE } },
    latencyMs: NEAR_MS,
    readOnly: true,
  })
  gateways.push(upstash, impatient, planetscale, readOnly)
}, 90_000)

afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()))
  await Promise.all([redisPair?.stop(), mariadbPair?.stop()])
  if (dir) rmSync(dir, { recursive: true, force: true })
}, 60_000)

const psUrl = (gateway: RunningGateway, user: string, password: string) =>
  gateway.url.replace('://', `://${user}:${password}@`)

const client = (gateway: RunningGateway, readYourWrites = true) =>
  new Redis({ url: gateway.url, token: TOKEN, readYourWrites, enableTelemetry: false })

/** The copies that answered the requests since `before` requests had been counted. */
function targetsSince(gateway: RunningGateway, before: number): (string | undefined)[] {
  const count = gateway.stats().requests[TOKEN] ?? 0
  return gateway
    .answers(TOKEN)
    .slice(-(count - before))
    .map((answer) => answer.target)
}

const counted = (gateway: RunningGateway) => gateway.stats().requests[TOKEN] ?? 0

describe('Upstash: one URL, reads from the replica', () => {
  it('reads its own writes with the sync token: every read fresh, answered by the replica', async () => {
    const redis = client(upstash)
    const before = counted(upstash)
    let stale = 0
    const waits: number[] = []
    for (let i = 0; i < 12; i++) {
      await redis.set('ryw', `value-${i}`)
      const started = performance.now()
      if ((await redis.get('ryw')) !== `value-${i}`) stale++
      waits.push(performance.now() - started)
    }
    expect(stale, 'stale reads with readYourWrites').toBe(0)
    expect(targetsSince(upstash, before)).toEqual(
      Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? 'primary' : 'replica'))
    )
    // Each read waited for the replica to apply the write: what is left of LAG_MS after the
    // write's own far answer, and never the whole bounded wait.
    expect(Math.min(...waits)).toBeGreaterThan(LAG_MS - FAR_MS - 50)
    expect(Math.max(...waits)).toBeLessThan(LAG_MS + LAG_SLACK_MS)
    console.log(`read-your-writes: 0/12 stale, reads took ${range(waits)} ms`)
  })

  it('reads stale values without the token, as against Upstash', async () => {
    const redis = client(upstash, false)
    const before = counted(upstash)
    let stale = 0
    for (let i = 0; i < 12; i++) {
      await redis.set('no-ryw', `value-${i}`)
      if ((await redis.get('no-ryw')) !== `value-${i}`) stale++
    }
    expect(stale, 'stale reads without readYourWrites').toBeGreaterThan(0)
    expect(targetsSince(upstash, before).filter((t) => t === 'replica')).toHaveLength(12)
    console.log(`readYourWrites: false: ${stale}/12 stale`)
  })

  it('has the replica apply a write within the lag of its link', async () => {
    const primary = new DirectRedis(redisPair.primaryUrl)
    const replica = new DirectRedis(redisPair.replicaUrl)
    try {
      const lags: number[] = []
      for (let i = 0; i < 5; i++) {
        const value = `lag-${i}-${Math.random()}`
        await primary.set('lag', value)
        const written = performance.now()
        while ((await replica.get('lag')) !== value) {
          expect(performance.now() - written, 'the write never reached the replica').toBeLessThan(
            LAG_MS + LAG_SLACK_MS
          )
        }
        lags.push(performance.now() - written)
      }
      expect(Math.min(...lags)).toBeGreaterThanOrEqual(LAG_MS - 5)
      expect(Math.max(...lags)).toBeLessThan(LAG_MS + LAG_SLACK_MS)
      console.log(`replication lag: ${range(lags)} ms (link delay ${LAG_MS} ms)`)
    } finally {
      primary.disconnect()
      replica.disconnect()
    }
  })

  it('bounds the wait: past it, the primary answers the read, fresh', async () => {
    const redis = client(impatient)
    const before = counted(impatient)
    await redis.set('bounded', 'fresh')
    const started = performance.now()
    expect(await redis.get('bounded')).toBe('fresh')
    const took = performance.now() - started
    expect(targetsSince(impatient, before)).toEqual(['primary', 'primary'])
    // 20 ms of waiting, then the primary's far answer; well under the replica's lag.
    expect(took).toBeGreaterThanOrEqual(20 + FAR_MS - 5)
    expect(took).toBeLessThan(LAG_MS)
    console.log(`bounded wait 20 ms: the read took ${took.toFixed(0)} ms, from the primary`)
  })

  it('sends a pipeline or transaction with any write to the primary, read-only scripts to the replica', async () => {
    const redis = client(upstash, false)
    const before = counted(upstash)
    await redis.pipeline().get('a').set('b', 1).exec()
    await redis.multi().get('a').get('b').exec()
    await redis.evalRo('return redis.call("GET", KEYS[1])', ['b'], [])
    await redis.eval('#!lua flags=no-writes\nreturn redis.call("GET", KEYS[1])', ['b'], [])
    await redis.eval('return redis.call("SET", KEYS[1], "x")', ['c'], [])
    await redis.scan(0, { withType: true })
    expect(targetsSince(upstash, before)).toEqual([
      'primary',
      'replica',
      'replica',
      'replica',
      'primary',
      'replica',
    ])
  })

  it('hands out opaque tokens that never go back, and names the copy in GET /__stats', async () => {
    const redis = client(upstash)
    const positions: number[] = []
    for (let i = 0; i < 4; i++) {
      await redis.set('token', i)
      positions.push(decodeToken(redis.readYourWritesSyncToken)?.offset ?? -1)
      await redis.get('token')
      positions.push(decodeToken(redis.readYourWritesSyncToken)?.offset ?? -1)
    }
    expect(positions.every((offset, i) => offset > 0 && offset >= (positions[i - 1] ?? 0))).toBe(
      true
    )
    expect(positions[2], 'a write moves the token on').toBeGreaterThan(positions[1] as number)

    const stats = await fetch(`${upstash.url}/__stats`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    const json = (await stats.json()) as { recent: unknown[]; targets: string[] }
    expect(json.targets).toHaveLength(json.recent.length)
    expect(new Set(json.targets)).toEqual(new Set(['primary', 'replica']))
  })
})

describe('PlanetScale: a read-only region of its own', () => {
  const primary = () => new Client({ url: psUrl(planetscale, 'app', 'app-secret') })
  const replica = () => new Client({ url: psUrl(readOnly, 'reader', 'reader-secret') })

  it('serves the primary writes after the lag, and refuses writes as a PlanetScale replica', async () => {
    await primary().execute('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'from the primary'])
    const written = performance.now()
    const select = 'SELECT body FROM notes WHERE id = 1'
    while ((await replica().execute(select)).rows.length === 0) {
      expect(performance.now() - written).toBeLessThan(LAG_MS + 1000)
    }
    console.log(`MariaDB replica had the row ${(performance.now() - written).toFixed(0)} ms later`)

    for (const sql of [
      "INSERT INTO notes (id, body) VALUES (2, 'on the replica')",
      "UPDATE notes SET body = 'changed' WHERE id = 1",
      'CREATE TABLE more_notes (id INT)',
    ]) {
      const error = await replica()
        .execute(sql)
        .then(
          () => undefined,
          (e: unknown) => e
        )
      expect(error, sql).toBeInstanceOf(DatabaseError)
      expect((error as DatabaseError).body).toEqual({
        code: 'FAILED_PRECONDITION',
        message: expect.stringMatching(
          /^target: replication_test\.-\.replica: .*VT09002: \w+ statement with a replica target \(errno 1874\)/
        ),
      })
    }
    const rows = (await primary().execute('SELECT id, body FROM notes ORDER BY id')).rows
    expect(rows, 'nothing changed').toEqual([{ id: 1, body: 'from the primary' }])
  })

  it('logs its answers as the replica, the primary gateway as the primary', async () => {
    await replica().execute('SELECT 1')
    expect(readOnly.answers('reader').at(-1)?.target).toBe('replica')
    expect(planetscale.answers('app').at(-1)?.target).toBe('primary')
  })
})

describe('npm run services -- --replicas', () => {
  it('takes the near, far and lag flags only with --replicas', () => {
    expect(parseLocalFlags('services', ['--replicas']).replicas).toEqual({
      nearMs: 5,
      farMs: 100,
      lagMs: 250,
    })
    expect(
      parseLocalFlags('services', ['--replicas', '--near-ms', '1', '--replica-lag-ms', '500'])
        .replicas
    ).toEqual({ nearMs: 1, farMs: 100, lagMs: 500 })
    expect(() => parseLocalFlags('services', ['--far-ms', '9'])).toThrow(/goes with --replicas/)
    expect(() => parseLocalFlags('services', ['--replicas', '--latency-ms', '9'])).toThrow(
      /--near-ms and --far-ms/
    )
  })
})

function range(values: number[]): string {
  return `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}`
}
