// Primary/replica pairs of our own, replicating by the servers' own means (Redis REPLICAOF,
// MariaDB GTID replication), each replica reading its primary through a delay proxy: the lag of
// a replica in another region, injected on the replication link.
import { Redis } from 'ioredis'
import { createConnection } from 'mysql2/promise'
import { type RunningProxy, startDelayProxy } from '../lib/delay-proxy.ts'
import { findBinary } from '../lib/processes.ts'
import { ServicesError } from './backends.ts'
import {
  type PrivateInstance,
  type PrivateOptions,
  startPrivateMariadb,
  startPrivateRedis,
} from './private-instance.ts'

export interface PairOptions extends PrivateOptions {
  /** every chunk from the primary reaches the replica this late */
  lagMs: number
}

export interface RedisPair {
  primaryUrl: string
  replicaUrl: string
  stop(): Promise<void>
}

export interface MariadbPair {
  /** root on the primary */
  primaryUrl: string
  /** a user without the right to write on a read_only server, on the replica */
  replicaUrl: string
  /** root on the replica (it may write despite read_only: not for gateways) */
  replicaAdminUrl: string
  /** Resolves once the replica has applied everything the primary has logged so far. */
  caughtUp(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

/** The replica gateway's MariaDB user: every data privilege, so read_only is what refuses writes. */
export const REPLICA_READER = { user: 'replica_reader', password: 'replica-reader-password' }

const LINK_TIMEOUT_MS = 30_000

export async function startRedisPair(options: PairOptions): Promise<RedisPair> {
  const server = findBinary('redis-server')
  if (!server) throw new ServicesError('redis-server is not installed (needed for --replicas)')
  const started: { stop(): Promise<void> }[] = []
  const stop = () => stopAll(started)
  try {
    // Diskless both ways and no delay before a full sync: nothing is written to disk, and the
    // replica is usable within a few of the link's round trips.
    const primary = await startPrivateRedis(server, options, {
      name: 'primary',
      args: ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'],
    })
    started.push(primary)
    const replica = await startPrivateRedis(server, options, {
      name: 'replica',
      args: ['--replica-read-only', 'yes', '--repl-diskless-load', 'swapdb'],
    })
    started.push(replica)
    const link = await lagLink(primary, options.lagMs)
    started.push({ stop: link.close })
    const admin = new Redis(replica.url, { lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await admin.replicaof('127.0.0.1', link.port)
      await until(async () => /master_link_status:up/.test(await admin.info('replication')))
    } finally {
      admin.disconnect()
    }
    options.log(`Redis ${replica.url} replicates ${primary.url} (+${options.lagMs} ms on the link)`)
    return { primaryUrl: primary.url, replicaUrl: replica.url, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

export async function startMariadbPair(options: PairOptions): Promise<MariadbPair> {
  const mariadbd = findBinary('mariadbd')
  if (!mariadbd) throw new ServicesError('mariadbd is not installed (needed for --replicas)')
  const binaries = { mariadbd, installDb: findBinary('mariadb-install-db') }
  const started: { stop(): Promise<void> }[] = []
  const stop = () => stopAll(started)
  try {
    // One after the other: two first-time installs side by side trip over each other.
    const primary = await startPrivateMariadb(binaries, options, {
      name: 'primary',
      args: ['--server-id=1', '--log-bin=mysql-bin', '--binlog-format=ROW'],
    })
    started.push(primary)
    const replica = await startPrivateMariadb(binaries, options, {
      name: 'replica',
      args: ['--server-id=2', '--read-only=ON', '--skip-slave-start', '--relay-log=relay-bin'],
    })
    started.push(replica)
    if (!primary.owned || !replica.owned) {
      throw new ServicesError(
        `another run uses the MariaDB pair under ${options.localDir}; stop it first`
      )
    }
    const link = await lagLink(primary, options.lagMs)
    started.push({ stop: link.close })
    const { user, password } = REPLICA_READER
    await sql(primary.url, [
      `CREATE USER IF NOT EXISTS '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`,
      `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, SHOW VIEW ON *.* TO '${user}'@'127.0.0.1'`,
    ])
    await sql(replica.url, [
      'STOP SLAVE',
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${link.port}, MASTER_USER='root', MASTER_PASSWORD='', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`,
      'START SLAVE',
    ])
    const caughtUp = (timeoutMs = LINK_TIMEOUT_MS) =>
      gtidCaughtUp(primary.url, replica.url, timeoutMs)
    await caughtUp()
    options.log(
      `MariaDB ${replica.url} replicates ${primary.url} (+${options.lagMs} ms on the link)`
    )
    const port = new URL(replica.url).port
    return {
      primaryUrl: primary.url,
      replicaUrl: `mysql://${user}:${password}@127.0.0.1:${port}`,
      replicaAdminUrl: replica.url,
      caughtUp,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** The replica's way to its primary: a delay proxy holding what the primary sends. */
async function lagLink(primary: PrivateInstance, lagMs: number): Promise<RunningProxy> {
  const port = Number(new URL(primary.url).port)
  return startDelayProxy('127.0.0.1', port, { toServerMs: 0, toClientMs: lagMs })
}

async function gtidCaughtUp(primaryUrl: string, replicaUrl: string, timeoutMs: number) {
  const [[position]] = (await sql(primaryUrl, ['SELECT @@gtid_binlog_pos AS pos'])) as [
    [{ pos: string }],
  ]
  const seconds = timeoutMs / 1000
  const [[waited]] = (await sql(replicaUrl, [
    `SELECT MASTER_GTID_WAIT('${position?.pos ?? ''}', ${seconds}) AS waited`,
  ])) as [[{ waited: number }]]
  if (waited?.waited !== 0) {
    const [[status]] = (await sql(replicaUrl, ['SHOW SLAVE STATUS'])) as [[Record<string, unknown>]]
    throw new ServicesError(
      `the MariaDB replica did not catch up within ${timeoutMs} ms: ${String(status?.Last_IO_Error || status?.Last_SQL_Error || 'no error reported')}`
    )
  }
}

async function sql(url: string, statements: string[]): Promise<unknown[]> {
  const conn = await createConnection({ uri: url })
  try {
    const results: unknown[] = []
    for (const statement of statements) results.push((await conn.query(statement))[0])
    return results
  } finally {
    await conn.end()
  }
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + LINK_TIMEOUT_MS
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new ServicesError(`the replication link did not come up within ${LINK_TIMEOUT_MS} ms`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function stopAll(started: { stop(): Promise<void> }[]): Promise<void> {
  for (const part of started.splice(0).reverse()) await part.stop().catch(() => {})
}
