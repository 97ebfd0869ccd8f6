// The stack the bench sections load: both gateways (their command lines) in front of the bench's
// own Redis database and MySQL database (migrated, emptied), the built Worker in workerd, and
// beside it the floor Worker on the same gateways.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { planetscaleArgs, upstashArgs } from '../../lib/gateways.ts'
import { migrate } from '../../migrate.ts'
import {
  type Backends,
  BENCH_DB_USER,
  BENCH_REDIS_DB,
  databaseUrlFor,
  planetscaleUsers,
  resetBenchData,
} from './backends.ts'
import { type FloorWorker, startFloorWorker } from './floor.ts'
import { BenchGateway } from './hosts.ts'
import { WorkerHost } from './workerd.ts'

export interface BenchGateways {
  upstash: BenchGateway
  planetscale: BenchGateway
  databaseUrl: string
  /** Upstash and PlanetScale requests answered so far for the bench's credentials */
  counters(): Promise<number[]>
  close(): Promise<void>
}

export interface GatewayOptions {
  planetscalePoolSize?: number
  /** read the gateways' memory over the inspector (soak) */
  inspect?: boolean
  /** every answer waits this long: one simulated round trip per backend request */
  latencyMs?: number
}

export async function startBenchGateways(
  backends: Backends,
  options: GatewayOptions = {}
): Promise<BenchGateways> {
  const upstash = await BenchGateway.start(
    'upstash',
    upstashArgs({
      redisUrl: backends.redisUrl,
      tokens: { [backends.upstashToken]: BENCH_REDIS_DB },
      port: 0,
      latencyMs: options.latencyMs,
    }),
    `Bearer ${backends.upstashToken}`,
    options.inspect
  )
  const planetscale = await BenchGateway.start(
    'planetscale',
    planetscaleArgs({
      mysqlUrl: backends.mysqlUrl,
      users: planetscaleUsers(backends),
      port: 0,
      poolSize: options.planetscalePoolSize,
      latencyMs: options.latencyMs,
    }),
    `Basic ${btoa(`${BENCH_DB_USER}:${backends.dbPassword}`)}`,
    options.inspect
  ).catch(async (error: unknown) => {
    await upstash.close()
    throw error
  })
  const close = async () => {
    await Promise.all([upstash.close(), planetscale.close()])
  }
  const databaseUrl = databaseUrlFor(backends, planetscale.port)
  try {
    await migrate(databaseUrl)
    await resetBenchData(backends)
  } catch (error) {
    await close()
    throw error
  }
  const counters = async () => [await upstash.requests(), await planetscale.requests()]
  return { upstash, planetscale, databaseUrl, counters, close }
}

export interface WorkerOptions {
  /** the built Worker (wrangler deploy --dry-run --outdir) */
  mainModule: string
  root: string
  backends: Backends
  /** open workerd's inspector (soak: the isolate's heap; profile: the CPU profiler) */
  inspect?: boolean
}

/** The built Worker in workerd, on the gateways; throttling out of the way (one account, one address). */
export function startBenchWorker(
  options: WorkerOptions,
  gateways: BenchGateways
): Promise<WorkerHost> {
  return WorkerHost.start({
    mainModule: options.mainModule,
    wranglerConfig: join(options.root, 'wrangler.toml'),
    bindings: {
      UPSTASH_REDIS_REST_URL: gateways.upstash.url,
      UPSTASH_REDIS_REST_TOKEN: options.backends.upstashToken,
      DATABASE_URL: gateways.databaseUrl,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      // One account logs in from one address, ten at a time: no limit may stand in the way.
      LOGIN_LIMIT_PER_ACCOUNT_ADDRESS: '1000000000',
      LOGIN_LIMIT_PER_ACCOUNT: '1000000000',
      LOGIN_LIMIT_PER_ADDRESS: '1000000000',
      REGISTER_LIMIT_PER_ADDRESS: '1000000000',
    },
    inspect: options.inspect ?? false,
  })
}

export interface OursAndFloor {
  gateways: BenchGateways
  ours: WorkerHost
  floor: FloorWorker
  close(): Promise<void>
}

/**
 * Gateways, our Worker and the floor Worker. `seed` runs against ours before the floor starts:
 * the floor reads a session and the users' ids from what it left.
 */
export async function startOursAndFloor(
  options: WorkerOptions & { latencyMs?: number },
  seed: (oursUrl: string) => Promise<{ reader: string; writer: string }>
): Promise<OursAndFloor> {
  const gateways = await startBenchGateways(options.backends, { latencyMs: options.latencyMs })
  let ours: WorkerHost | undefined
  try {
    ours = await startBenchWorker(options, gateways)
    const emails = await seed(ours.url)
    const floor = await startFloorWorker(options, gateways, emails)
    const started = ours
    return {
      gateways,
      ours: started,
      floor,
      close: async () => {
        await Promise.all([started.close(), floor.close()])
        await gateways.close()
      },
    }
  } catch (error) {
    await ours?.close()
    await gateways.close()
    throw error
  }
}
