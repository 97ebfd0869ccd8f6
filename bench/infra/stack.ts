// What the HTTP sections load: both gateways (their command lines) in front of the bench's own
// Redis and MySQL databases (migrated, emptied), the built Worker in workerd on them, and for
// comparison the floor Worker on the same gateways and the peer, all on the same accounts.
import { randomBytes } from 'node:crypto'
import { planetscaleArgs, upstashArgs } from '../../scripts/lib/gateways.ts'
import { migrate } from '../../scripts/migrate.ts'
import type { SectionContext } from '../context.ts'
import { type Backends, BENCH_DATABASE, BENCH_REDIS_DB, resetBenchData } from './backends.ts'
import { startFloorWorker } from './floor.ts'
import { startGateway } from './hosts.ts'
import { startPeer } from './peer.ts'
import { accountsFor, type Role, seedAccounts } from './visitor.ts'
import { startWorkerd } from './workerd.ts'

export type BenchGateways = Awaited<ReturnType<typeof startBenchGateways>>

export async function startBenchGateways(
  backends: Backends,
  options: { poolSize?: number; latencyMs?: number; inspect?: boolean } = {}
) {
  const { upstashToken: token, dbPassword: password, redisUrl, mysqlUrl } = backends
  const { poolSize, latencyMs, inspect = false } = options
  const upstash = await startGateway(
    'upstash',
    upstashArgs({ redisUrl, tokens: { [token]: BENCH_REDIS_DB }, port: 0, latencyMs }),
    `Bearer ${token}`,
    inspect
  )
  const users = { bench: { password, database: BENCH_DATABASE } }
  const planetscale = await startGateway(
    'planetscale',
    planetscaleArgs({ mysqlUrl, users, port: 0, poolSize, latencyMs }),
    `Basic ${btoa(`bench:${password}`)}`,
    inspect
  ).catch(async (error: unknown) => {
    await upstash.close()
    throw error
  })
  const close = async () => {
    await Promise.all([upstash.close(), planetscale.close()])
  }
  const databaseUrl = planetscale.url.replace('://', `://bench:${password}@`)
  try {
    await migrate(databaseUrl)
    await resetBenchData(backends)
  } catch (error) {
    await close()
    throw error
  }
  return {
    upstash,
    planetscale,
    /** what a Worker needs to reach them */
    bindings: {
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: token,
      DATABASE_URL: databaseUrl,
    },
    /** Upstash and PlanetScale requests answered so far for the bench's credentials */
    counters: async () => [(await upstash.stats()).requests, (await planetscale.stats()).requests],
    close,
  }
}

/**
 * The built Worker on the gateways; throttling out of the way (one account, one address).
 * `vars` on top (e.g. one SESSION_SECRET for two Workers that must accept each other's cookies).
 */
export const startBenchWorker = (
  gateways: { bindings: Record<string, string> },
  mainModule: string,
  inspect = false,
  vars: Record<string, string> = {}
) =>
  startWorkerd(
    mainModule,
    {
      ...gateways.bindings,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      // One account logs in from one address, ten at a time: no limit may stand in the way.
      LOGIN_LIMIT_PER_ACCOUNT_ADDRESS: '1000000000',
      LOGIN_LIMIT_PER_ACCOUNT: '1000000000',
      LOGIN_LIMIT_PER_ADDRESS: '1000000000',
      REGISTER_LIMIT_PER_ADDRESS: '1000000000',
      ...vars,
    },
    inspect
  )

export type Stack = Awaited<ReturnType<typeof startTargets>>

export interface Target {
  server: 'ours' | 'floor' | 'peer'
  url: string
  cookies: Record<Role, string>
  /** the processes serving its requests, for CPU accounting */
  processes: Record<string, number>
}

/**
 * Ours, the floor and the peer; with `rttMs`, every backend that far away (the peer's behind
 * delay proxies). The accounts are seeded on ours first: the floor reads what that left.
 */
export async function startTargets(c: SectionContext, rttMs?: number) {
  const accounts = accountsFor(Date.now().toString(36))
  const gateways = await startBenchGateways(c.backends, { latencyMs: rttMs })
  const stops = [gateways.close]
  const close = async () => {
    for (const stop of [...stops].reverse()) await stop()
  }
  try {
    const ours = await startBenchWorker(gateways, (await c.bundle()).mainModule)
    stops.push(ours.close)
    const cookies = await seedAccounts(ours.url, accounts)
    const floor = await startFloorWorker(c.backends, gateways, accounts)
    stops.push(floor.close)
    const { upstash, planetscale } = gateways
    const pids = { 'upstash gateway': upstash.pid, 'planetscale gateway': planetscale.pid }
    const targets: Target[] = [
      { server: 'ours', url: ours.url, cookies, processes: { workerd: ours.pid, ...pids } },
      { server: 'floor', url: floor.url, cookies, processes: { workerd: floor.pid, ...pids } },
    ]
    const delayMs = rttMs === undefined ? undefined : rttMs / 2
    const peer = await startPeer(c, delayMs)
    if (peer) {
      stops.push(peer.stop)
      targets.push({
        server: 'peer',
        url: peer.url,
        cookies: await seedAccounts(peer.url, accounts),
        processes: peer.pid ? { 'tutorial app': peer.pid } : {},
      })
    }
    return { accounts, gateways, targets, peer: peer?.label ?? null, close }
  } catch (error) {
    await close()
    throw error
  }
}
