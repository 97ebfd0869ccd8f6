// `npm run services -- --replicas`: a global deployment in miniature. Private primary/replica
// pairs of Redis and MariaDB (replication lagging by --replica-lag-ms), one Upstash gateway that
// answers reads from the replica after --near-ms and anything needing the primary after --far-ms,
// and two PlanetScale gateways: the primary (far) and the read-only region (near) with
// credentials of its own.
import { join } from 'node:path'
import { type GatewayProcess, planetscaleArgs } from '../lib/gateways.ts'
import { ServicesError } from './backends.ts'
import { baseUrl, findRunning, type GatewaySpec, startGateway } from './gateway-ports.ts'
import { probePlanetScale } from './probes.ts'
import {
  type MariadbPair,
  type PairOptions,
  type RedisPair,
  startMariadbPair,
  startRedisPair,
} from './replication.ts'

export interface ReplicaSettings {
  /** added to answers from a replica (the near region) */
  nearMs: number
  /** added to answers that needed a primary (the far region) */
  farMs: number
  /** every chunk of the replication stream reaches the replicas this late */
  lagMs: number
}

export const DEFAULT_REPLICAS: ReplicaSettings = { nearMs: 5, farMs: 100, lagMs: 250 }
export const DEFAULT_PLANETSCALE_REPLICA_PORT = 8077
/** The read-only region's credentials, apart from the primary's. */
export const DEV_DB_REPLICA_USER = 'app-replica'
export const DEV_DB_REPLICA_PASSWORD = 'app-replica-dev-password'

export interface Pairs {
  redis: RedisPair
  mariadb: MariadbPair
}

/** Both pairs side by side, under <localDir>/replicas; registered for cleanup as they start. */
export async function startPairs(
  settings: ReplicaSettings,
  options: Omit<PairOptions, 'lagMs'>,
  cleanups: (() => Promise<void>)[]
): Promise<Pairs> {
  const pairOptions = {
    ...options,
    localDir: join(options.localDir, 'replicas'),
    lagMs: settings.lagMs,
  }
  const results = await Promise.allSettled([
    startRedisPair(pairOptions),
    startMariadbPair(pairOptions),
  ])
  for (const result of results) {
    if (result.status === 'fulfilled') cleanups.push(result.value.stop)
  }
  const [redis, mariadb] = results
  if (redis.status === 'rejected') throw redis.reason
  if (mariadb.status === 'rejected') throw mariadb.reason
  return { redis: redis.value, mariadb: mariadb.value }
}

/** A gateway answering on a fixed port is not replicated: it is refused, never reused. */
export async function assertNoGateway(spec: GatewaySpec, log: (line: string) => void) {
  const running = await findRunning(spec, log)
  if (running) {
    throw new ServicesError(
      `a ${spec.name} gateway already runs at ${running}; with --replicas every gateway is ` +
        `started anew: stop it, or set ${spec.variable} to another port`
    )
  }
}

const withReplicaUser = (base: string) =>
  base.replace('://', `://${DEV_DB_REPLICA_USER}:${DEV_DB_REPLICA_PASSWORD}@`)

export function planetscaleReplicaSpec(port: number): GatewaySpec {
  return {
    kind: 'planetscale',
    name: 'PlanetScale read-only',
    variable: 'PLANETSCALE_REPLICA_PORT',
    port,
    probe: (base) => probePlanetScale(withReplicaUser(base)),
  }
}

/** What a running replicated setup adds to Services. */
export interface ReplicaServices {
  settings: ReplicaSettings
  /** http://app-replica:…@127.0.0.1:8077, the read-only region for @planetscale/database */
  databaseReplicaUrl: string
  /** Redis and MariaDB replica URLs (the MariaDB one with the read-only gateway's user) */
  redisReplicaUrl: string
  mysqlReplicaUrl: string
  planetscaleReplica: GatewayProcess | undefined
}

interface Lifecycle {
  cleanups: (() => Promise<void>)[]
  log: (line: string) => void
  signal: AbortSignal | undefined
}

/** The read-only PlanetScale gateway, once replication has brought the database to the replica. */
export async function startReadOnlyRegion(
  pairs: Pairs,
  settings: ReplicaSettings,
  spec: GatewaySpec,
  database: string,
  { cleanups, log, signal }: Lifecycle
): Promise<ReplicaServices> {
  await pairs.mariadb.caughtUp()
  const mysqlReplicaUrl = pairs.mariadb.replicaAdminUrl
  const users = { [DEV_DB_REPLICA_USER]: { password: DEV_DB_REPLICA_PASSWORD, database } }
  const gateway = await startGateway(spec, cleanups, log, signal, (port) =>
    planetscaleArgs({
      mysqlUrl: mysqlReplicaUrl,
      users,
      port,
      latencyMs: settings.nearMs,
      readOnly: true,
    })
  )
  const base = gateway?.url ?? baseUrl(spec.port)
  return {
    settings,
    databaseReplicaUrl: withReplicaUser(base),
    redisReplicaUrl: pairs.redis.replicaUrl,
    mysqlReplicaUrl,
    planetscaleReplica: gateway,
  }
}
