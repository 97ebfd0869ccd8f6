// What the edge section loads: a global deployment in miniature. Private primary/replica pairs of
// Redis and MariaDB (real replication, --replica-lag-ms on the link; scripts/local/replication.ts)
// in a temporary folder; gateways for the primary region (--far-ms per answer) and the read
// regions (--near-ms); and on them:
// - ours with replicas: an Upstash gateway answering reads from the Redis replica (near) and the
//   rest from the primary (far), PlanetScale's primary (far) and read-only region (near);
// - ours without: an Upstash gateway on the primary only and PlanetScale's primary, both far;
// - the floor Worker on the replicated gateways, reading where ours reads with replicas;
// - the tutorial app (--peer) on the ordinary backends, in the primary region itself: the visitor
//   reaches it through a TCP proxy delaying each chunk --far-ms / 2 each way.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { planetscaleArgs, upstashArgs } from '../../scripts/lib/gateways.ts'
import { startMariadbPair, startRedisPair } from '../../scripts/local/replication.ts'
import { migrate } from '../../scripts/migrate.ts'
import type { SectionContext } from '../context.ts'
import { BENCH_DATABASE, BENCH_REDIS_DB } from './backends.ts'
import type { Timeline } from './chains.ts'
import { startFloorWorker } from './floor.ts'
import { startGateway, startServer } from './hosts.ts'
import { startPeer } from './peer.ts'
import { startBenchWorker } from './stack.ts'
import { accountsFor, type Role, seedAccounts } from './visitor.ts'

export interface Distances {
  /** added to each answer of a read region */
  nearMs: number
  /** added to each answer of the primary region, and to each request to the tutorial */
  farMs: number
  /** every chunk of the replication stream reaches the replicas this late */
  lagMs: number
}

export type EdgeServer = 'ours, replicas' | 'ours, primary only' | 'floor, replicas' | 'tutorial'

export interface EdgeTarget {
  server: EdgeServer
  url: string
  cookies: Record<Role, string>
  /** the gateways it uses, whose timelines tell which backend requests went far */
  timelines: Timeline[]
}

/** After a write, the browser's PlanetScale reads go to the primary this long (the app's default). */
export const READ_PRIMARY_AFTER_WRITE_MS = 3000

const LOOPBACK = new Set(['127.0.0.1', 'localhost'])

export async function startEdgeTargets(c: SectionContext, distances: Distances) {
  const { nearMs, farMs, lagMs } = distances
  const stops: (() => Promise<unknown>)[] = []
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {})
  }
  try {
    const dir = await mkdtemp(join(tmpdir(), 'edge-status-bench-replicas-'))
    stops.push(() => rm(dir, { recursive: true, force: true }))
    const pairOptions = { localDir: dir, lagMs, log: c.log }
    const pairs = await Promise.allSettled([
      startRedisPair(pairOptions),
      startMariadbPair(pairOptions),
    ])
    for (const pair of pairs) if (pair.status === 'fulfilled') stops.push(pair.value.stop)
    const [redisPair, mariadbPair] = pairs
    if (redisPair.status === 'rejected') throw redisPair.reason
    if (mariadbPair.status === 'rejected') throw mariadbPair.reason
    const redis = redisPair.value
    const mariadb = mariadbPair.value

    const { upstashToken: token, dbPassword: password } = c.backends
    const gateway = async (...args: Parameters<typeof startGateway>) => {
      const started = await startGateway(...args)
      stops.push(started.close)
      return started
    }
    const tokens = { [token]: BENCH_REDIS_DB }
    const bearer = `Bearer ${token}`
    const globalRedis = await gateway(
      'upstash',
      upstashArgs({
        redisUrl: redis.primaryUrl,
        tokens,
        port: 0,
        latencyMs: farMs,
        replica: { redisUrl: redis.replicaUrl, latencyMs: nearMs },
      }),
      bearer,
      false
    )
    const primaryRedis = await gateway(
      'upstash',
      upstashArgs({ redisUrl: redis.primaryUrl, tokens, port: 0, latencyMs: farMs }),
      bearer,
      false
    )
    const users = { bench: { password, database: BENCH_DATABASE } }
    const primaryDb = await gateway(
      'planetscale',
      planetscaleArgs({ mysqlUrl: mariadb.primaryUrl, users, port: 0, latencyMs: farMs }),
      `Basic ${btoa(`bench:${password}`)}`,
      false
    )
    const databaseUrl = primaryDb.url.replace('://', `://bench:${password}@`)
    await migrate(databaseUrl)
    // The read-only region serves the schema once replication has brought it there.
    await mariadb.caughtUp()
    const readers = { reader: { password, database: BENCH_DATABASE } }
    const replicaDb = await gateway(
      'planetscale',
      planetscaleArgs({
        mysqlUrl: mariadb.replicaAdminUrl,
        users: readers,
        port: 0,
        latencyMs: nearMs,
        readOnly: true,
      }),
      `Basic ${btoa(`reader:${password}`)}`,
      false
    )

    const { mainModule } = await c.bundle()
    const shared = { SESSION_SECRET: randomBytes(32).toString('base64url') }
    const replicated = {
      UPSTASH_REDIS_REST_URL: globalRedis.url,
      UPSTASH_REDIS_REST_TOKEN: token,
      DATABASE_URL: databaseUrl,
      DATABASE_REPLICA_URL: replicaDb.url.replace('://', `://reader:${password}@`),
    }
    const oursReplicas = await startBenchWorker({ bindings: replicated }, mainModule, false, {
      ...shared,
      READ_PRIMARY_AFTER_WRITE_MS: String(READ_PRIMARY_AFTER_WRITE_MS),
    })
    stops.push(oursReplicas.close)
    const primaryOnly = {
      UPSTASH_REDIS_REST_URL: primaryRedis.url,
      UPSTASH_REDIS_REST_TOKEN: token,
      DATABASE_URL: databaseUrl,
    }
    const oursPrimary = await startBenchWorker({ bindings: primaryOnly }, mainModule, false, shared)
    stops.push(oursPrimary.close)

    // Both of ours share the data and the secret: the accounts and cookies serve both.
    const accounts = accountsFor(Date.now().toString(36))
    const cookies = await seedAccounts(oursReplicas.url, accounts)
    const seededAt = Date.now()
    const pairBackends = { ...c.backends, redisUrl: redis.primaryUrl, mysqlUrl: mariadb.primaryUrl }
    const floor = await startFloorWorker(pairBackends, { bindings: replicated }, accounts)
    stops.push(floor.close)

    const far = (gateway: Timeline['stats']) => ({ stats: gateway, region: 'primary' as const })
    const near = (gateway: Timeline['stats']) => ({ stats: gateway, region: 'replica' as const })
    // The global Redis gateway names the copy that answered each request.
    const replicatedTimelines = [
      far(globalRedis.stats),
      far(primaryDb.stats),
      near(replicaDb.stats),
    ]
    const primaryTimelines = [far(primaryRedis.stats), far(primaryDb.stats)]
    const targets: EdgeTarget[] = [
      {
        server: 'ours, replicas',
        url: oursReplicas.url,
        cookies,
        timelines: replicatedTimelines,
      },
      { server: 'ours, primary only', url: oursPrimary.url, cookies, timelines: primaryTimelines },
      { server: 'floor, replicas', url: floor.url, cookies, timelines: replicatedTimelines },
    ]
    const tutorial = await startFarPeer(c, farMs, stops)
    if (tutorial) {
      const tutorialCookies = await seedAccounts(tutorial.directUrl, accounts)
      targets.push({
        server: 'tutorial',
        url: tutorial.url,
        cookies: tutorialCookies,
        timelines: [],
      })
    }
    return { accounts, targets, seededAt, tutorial: tutorial?.label ?? null, close }
  } catch (error) {
    await close()
    throw error
  }
}

/** The peer (if any, and on this machine) behind a proxy adding farMs to each round trip. */
async function startFarPeer(c: SectionContext, farMs: number, stops: (() => Promise<unknown>)[]) {
  const peer = await startPeer(c)
  if (!peer) return undefined
  stops.push(peer.stop)
  const { hostname, port } = new URL(peer.url)
  if (!LOOPBACK.has(hostname)) {
    c.log(`edge: ${peer.url} is not on this machine; the bench reaches only 127.0.0.1: skipped`)
    return undefined
  }
  const proxy = await startServer(['delay', '127.0.0.1', port || '80', String(farMs / 2)])
  stops.push(proxy.stop)
  return { url: proxy.url, directUrl: peer.url, label: peer.label }
}
