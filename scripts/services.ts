// Local backing services for `npm run dev`, the tests and the bench: Redis and MariaDB (a private
// instance under .local/ when none is running), the Upstash and PlanetScale gateways in front of
// them, and the migrations.
//   npm run services      start everything, print the .dev.vars lines, stop on Ctrl-C
import { join, resolve } from 'node:path'
import { type GatewayProcess, planetscaleArgs, upstashArgs } from './lib/gateways.ts'
import { ROOT } from './lib/project.ts'
import { type Backend, ensureMysql, ensureRedis, ServicesError } from './local/backends.ts'
import {
  describeFailure,
  numberFromEnv,
  onInterrupt,
  parseLocalFlags,
  portFromEnv,
} from './local/cli.ts'
import { baseUrl, findRunning, type GatewaySpec, startGateway } from './local/gateway-ports.ts'
import { probePlanetScale, probeUpstash } from './local/probes.ts'
import {
  assertNoGateway,
  DEFAULT_PLANETSCALE_REPLICA_PORT,
  type Pairs,
  planetscaleReplicaSpec,
  type ReplicaServices,
  type ReplicaSettings,
  startPairs,
  startReadOnlyRegion,
} from './local/replicas.ts'
import { servicesSummary } from './local/summary.ts'
import { migrate } from './migrate.ts'

export { ServicesError }

export const DEV_UPSTASH_TOKEN = 'dev-token'
export const DEV_DB_USER = 'app'
export const DEV_DB_PASSWORD = 'app-dev-password'
export const DEV_DATABASE = 'edge_status'
/** Fixed so .dev.vars (UPSTASH_REDIS_REST_URL, DATABASE_URL) can name them. */
export const DEFAULT_UPSTASH_PORT = 8079
export const DEFAULT_PLANETSCALE_PORT = 8078

export interface ServicesOptions {
  /** default env REDIS_URL, else redis://127.0.0.1:6379 */
  redisUrl?: string
  /** default env MYSQL_URL, else mysql://root@127.0.0.1:3306 */
  mysqlUrl?: string
  /** default env UPSTASH_PORT, else 8079; 0 = any free port (then never reuses a running gateway) */
  upstashPort?: number
  /** default env PLANETSCALE_PORT, else 8078; 0 as above */
  planetscalePort?: number
  /** Redis logical database behind the dev token, default 0 */
  redisDb?: number
  /** MySQL database behind the dev user, default edge_status (created if missing) */
  database?: string
  /**
   * Every gateway answer waits this long (a far region); default env GATEWAY_LATENCY_MS, else
   * nothing is passed and each gateway's own variable (UPSTASH_GATEWAY_LATENCY_MS…) applies.
   */
  latencyMs?: number
  /** Where private Redis/MariaDB instances keep their files, default <repo>/.local */
  localDir?: string
  /** Start a private Redis/MariaDB when none answers on this machine, default true */
  privateInstances?: boolean
  /** Reuse a gateway already answering on a fixed port, default true */
  reuse?: boolean
  /** Apply migrations/*.sql, default true */
  migrate?: boolean
  migrationsDir?: string
  /**
   * Private primary/replica pairs instead of the servers above, a replicated Upstash gateway and
   * a read-only PlanetScale gateway (latencyMs is then ignored: near and far replace it)
   */
  replicas?: ReplicaSettings
  /** The read-only PlanetScale gateway's port with replicas, default env PLANETSCALE_REPLICA_PORT, else 8077 */
  planetscaleReplicaPort?: number
  /** Progress lines, default console.log with a "services: " prefix */
  log?: (line: string) => void
  /** Aborting stops whatever was started so far and rejects. */
  signal?: AbortSignal
}

export interface Services {
  upstashUrl: string
  upstashToken: string
  /** http://app:app-dev-password@127.0.0.1:PORT, for @planetscale/database */
  databaseUrl: string
  /** The backends in use; undefined when the gateway in front was reused (its backend is unknown). */
  redisUrl: string | undefined
  mysqlUrl: string | undefined
  /** Gateway processes started by this call; undefined when an already running one was reused. */
  gateways: { upstash: GatewayProcess | undefined; planetscale: GatewayProcess | undefined }
  /** Migrations applied by this call. */
  migrations: string[]
  /** The added latency given to the gateways started by this call (else their own env applies). */
  latencyMs: number | undefined
  /** Set when started with replicas. */
  replicas: ReplicaServices | undefined
  /** Stops everything this call started (gateways, then private instances); reused ones stay. */
  stop(): Promise<void>
}

export async function startServices(options: ServicesOptions = {}): Promise<Services> {
  const log = options.log ?? ((line: string) => console.log(`services: ${line}`))
  const signal = options.signal
  const env = process.env
  const redisUrl = options.redisUrl ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const mysqlUrl = options.mysqlUrl ?? env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'
  const database = options.database ?? DEV_DATABASE
  const redisDb = options.redisDb ?? 0
  const reuse = options.reuse ?? true
  const credentials = `${DEV_DB_USER}:${DEV_DB_PASSWORD}`
  const databaseUrlAt = (base: string) => base.replace('://', `://${credentials}@`)
  const latencyMs =
    options.latencyMs ?? numberFromEnv('GATEWAY_LATENCY_MS', undefined, 'a number of ms')
  const upstash: GatewaySpec = {
    kind: 'upstash',
    name: 'Upstash',
    variable: 'UPSTASH_PORT',
    port: options.upstashPort ?? portFromEnv('UPSTASH_PORT', DEFAULT_UPSTASH_PORT),
    probe: (base) => probeUpstash(base, DEV_UPSTASH_TOKEN),
  }
  const planetscale: GatewaySpec = {
    kind: 'planetscale',
    name: 'PlanetScale',
    variable: 'PLANETSCALE_PORT',
    port: options.planetscalePort ?? portFromEnv('PLANETSCALE_PORT', DEFAULT_PLANETSCALE_PORT),
    probe: (base) => probePlanetScale(databaseUrlAt(base)),
  }

  // Undone in reverse order by stop(), or right away when a later step fails or is aborted.
  const cleanups: (() => Promise<void>)[] = []
  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= (async () => {
      for (const cleanup of cleanups.splice(0).reverse()) {
        await cleanup().catch((error: unknown) => log(`while stopping: ${String(error)}`))
      }
    })()
    return stopped
  }

  const replicas = options.replicas
  const replicaSpec = planetscaleReplicaSpec(
    options.planetscaleReplicaPort ??
      portFromEnv('PLANETSCALE_REPLICA_PORT', DEFAULT_PLANETSCALE_REPLICA_PORT)
  )
  try {
    if (replicas) {
      for (const spec of [upstash, planetscale, replicaSpec]) await assertNoGateway(spec, log)
    }
    const upstashRunning = reuse && !replicas ? await findRunning(upstash, log) : undefined
    const planetscaleRunning = reuse && !replicas ? await findRunning(planetscale, log) : undefined
    signal?.throwIfAborted()

    // Backends only for the gateways we start; started side by side (MariaDB may take seconds).
    const backendOptions = {
      allowPrivate: options.privateInstances ?? true,
      localDir: resolve(options.localDir ?? join(ROOT, '.local')),
      log,
      signal,
    }
    let pairs: Pairs | undefined
    let redis: Backend | undefined
    let mysql: Backend | undefined
    if (replicas) {
      pairs = await startPairs(replicas, backendOptions, cleanups)
      redis = { url: pairs.redis.primaryUrl, source: 'private', stop: async () => {} }
      mysql = { url: pairs.mariadb.primaryUrl, source: 'private', stop: async () => {} }
    } else {
      ;[redis, mysql] = await settleAll(
        [
          upstashRunning ? undefined : ensureRedis(redisUrl, backendOptions),
          planetscaleRunning ? undefined : ensureMysql(mysqlUrl, backendOptions),
        ],
        cleanups
      )
    }
    signal?.throwIfAborted()
    // With replicas, what needs a primary is far and what a replica answers is near.
    const primaryLatencyMs = replicas ? replicas.farMs : latencyMs

    let upstashGateway: GatewayProcess | undefined
    let upstashUrl = upstashRunning
    if (!upstashUrl && redis) {
      const tokens = { [DEV_UPSTASH_TOKEN]: redisDb }
      const replica = pairs && {
        redisUrl: pairs.redis.replicaUrl,
        latencyMs: replicas?.nearMs ?? 0,
      }
      upstashGateway = await startGateway(upstash, cleanups, log, signal, (port) =>
        upstashArgs({ redisUrl: redis.url, tokens, port, latencyMs: primaryLatencyMs, replica })
      )
      upstashUrl = upstashGateway?.url ?? baseUrl(upstash.port)
    }
    signal?.throwIfAborted()

    let planetscaleGateway: GatewayProcess | undefined
    let planetscaleUrl = planetscaleRunning
    if (!planetscaleUrl && mysql) {
      const users = { [DEV_DB_USER]: { password: DEV_DB_PASSWORD, database } }
      planetscaleGateway = await startGateway(planetscale, cleanups, log, signal, (port) =>
        planetscaleArgs({ mysqlUrl: mysql.url, users, port, latencyMs: primaryLatencyMs })
      )
      planetscaleUrl = planetscaleGateway?.url ?? baseUrl(planetscale.port)
    }
    signal?.throwIfAborted()
    if (!upstashUrl || !planetscaleUrl) throw new Error('unreachable: a gateway has no URL')

    const databaseUrl = databaseUrlAt(planetscaleUrl)
    let migrations: string[] = []
    if (options.migrate ?? true) {
      const dir = options.migrationsDir ?? join(ROOT, 'migrations')
      const result = await migrate(databaseUrl, dir, { log: (line) => log(`migrations: ${line}`) })
      migrations = result.applied
    }
    signal?.throwIfAborted()

    const replicaServices =
      pairs && replicas
        ? await startReadOnlyRegion(pairs, replicas, replicaSpec, database, {
            cleanups,
            log,
            signal,
          })
        : undefined
    signal?.throwIfAborted()

    return {
      upstashUrl,
      upstashToken: DEV_UPSTASH_TOKEN,
      databaseUrl,
      redisUrl: redis?.url,
      mysqlUrl: mysql?.url,
      gateways: { upstash: upstashGateway, planetscale: planetscaleGateway },
      migrations,
      latencyMs: replicas ? undefined : latencyMs,
      replicas: replicaServices,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Like Promise.all, but every backend that did start is registered for cleanup even if one fails. */
async function settleAll(
  pending: (Promise<Backend> | undefined)[],
  cleanups: (() => Promise<void>)[]
): Promise<(Backend | undefined)[]> {
  const results = await Promise.allSettled(pending.map((p) => p ?? Promise.resolve(undefined)))
  for (const result of results) {
    if (result.status === 'fulfilled' && result.value) cleanups.push(result.value.stop)
  }
  const failure = results.find((r) => r.status === 'rejected')
  if (failure) throw failure.reason
  return results.map((r) => (r.status === 'fulfilled' ? r.value : undefined))
}

/** Calls back when a gateway this call started exits on its own (a crash, a kill). */
export function onGatewayExit(
  services: Services,
  callback: (name: string, code: number | string) => void
): void {
  const { upstash, planetscale } = services.gateways
  for (const gateway of [upstash, planetscale, services.replicas?.planetscaleReplica]) {
    void gateway?.exited.then((code) => callback(gateway.spec.name, code))
  }
}

async function main(): Promise<void> {
  const controller = new AbortController()
  let services: Services | undefined
  let stopping = false
  onInterrupt((reason) => {
    stopping = true
    console.log(`\nservices: ${reason}, stopping…`)
    controller.abort(new ServicesError(`interrupted: ${reason}`))
    void services?.stop().then(() => process.exit(0))
  })
  try {
    const { latencyMs, replicas } = parseLocalFlags('services', process.argv.slice(2))
    services = await startServices({ signal: controller.signal, latencyMs, replicas })
  } catch (error) {
    if (stopping) process.exit(0)
    console.error(`services: ${describeFailure(error)}`)
    process.exit(1)
  }
  const { gateways } = services
  console.log(servicesSummary(services).join('\n'))
  if (!gateways.upstash && !gateways.planetscale) {
    console.log(
      'services: both gateways were already running elsewhere; nothing to keep running here'
    )
    process.exit(0)
  }
  onGatewayExit(services, (name, code) => {
    if (stopping) return
    stopping = true
    console.error(`services: ${name} exited (${code}); stopping the rest`)
    void services?.stop().then(() => process.exit(1))
  })
  console.log('services: ready. Press Ctrl-C to stop.')
}

if (import.meta.main) void main()
