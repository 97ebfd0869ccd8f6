// The stack the bench sections load: both gateways (their command lines) in front of the bench's
// own Redis database and MySQL database (migrated, emptied), and the built Worker in workerd.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { planetscaleArgs, upstashArgs } from '../lib/gateways.ts'
import { migrate } from '../migrate.ts'
import {
  type Backends,
  BENCH_DB_USER,
  BENCH_REDIS_DB,
  databaseUrlFor,
  planetscaleUsers,
  resetBenchData,
} from './backends.ts'
import { BenchGateway, WorkerHost } from './hosts.ts'

export interface BenchGateways {
  upstash: BenchGateway
  planetscale: BenchGateway
  databaseUrl: string
  close(): Promise<void>
}

export async function startBenchGateways(
  backends: Backends,
  options: { planetscalePoolSize?: number; inspect?: boolean } = {}
): Promise<BenchGateways> {
  const upstash = await BenchGateway.start(
    'upstash',
    upstashArgs({
      redisUrl: backends.redisUrl,
      tokens: { [backends.upstashToken]: BENCH_REDIS_DB },
      port: 0,
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
  return { upstash, planetscale, databaseUrl, close }
}

/** The minified Worker in workerd, on the gateways; throttling out of the way (one account, one address). */
export function startBenchWorker(
  options: { mainModule: string; root: string; backends: Backends },
  gateways: BenchGateways,
  inspect = false
): Promise<WorkerHost> {
  return WorkerHost.start({
    mainModule: options.mainModule,
    wranglerConfig: join(options.root, 'wrangler.toml'),
    bindings: {
      UPSTASH_REDIS_REST_URL: gateways.upstash.url,
      UPSTASH_REDIS_REST_TOKEN: options.backends.upstashToken,
      DATABASE_URL: gateways.databaseUrl,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      LOGIN_LIMIT_PER_ACCOUNT: '1000000000',
      LOGIN_LIMIT_PER_ADDRESS: '1000000000',
    },
    inspect,
  })
}
