// The bench's own corner of the shared Redis and MariaDB (so nothing collides with tests or dev
// data), direct clients for both, and the reset between runs.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { createConnection } from 'mysql2/promise'

// Overridable, so a run can keep clear of scripts that use the defaults without the bench lock.
export const BENCH_REDIS_DB = Number(process.env.BENCH_REDIS_DB ?? 7)
export const BENCH_DATABASE = process.env.BENCH_MYSQL_DATABASE ?? 'edge_status_bench'

export interface Backends {
  redisUrl: string
  mysqlUrl: string
  /** gateway credentials, fresh per run */
  upstashToken: string
  dbPassword: string
}

export const backendsFromEnv = (): Backends => ({
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  mysqlUrl: process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
  upstashToken: `bench-${randomBytes(9).toString('base64url')}`,
  dbPassword: randomBytes(12).toString('hex'),
})

/** One ioredis connection (commands written as they come) on database `db`; callers quit() it. */
export const redisClient = (redisUrl: string, db = BENCH_REDIS_DB) =>
  new Redis(redisUrl, { db, maxRetriesPerRequest: 1 })

/** A mysql2 connection to the bench's database (or `database`); callers end() it. */
export const mysqlConnection = (mysqlUrl: string, database = BENCH_DATABASE) =>
  createConnection({ uri: mysqlUrl, database })

/** Empties the bench's Redis database and the bench schema's tables (it keeps the schema). */
export async function resetBenchData(backends: Backends): Promise<void> {
  const redis = redisClient(backends.redisUrl)
  await redis.flushdb().finally(() => redis.quit())
  const mysql = await mysqlConnection(backends.mysqlUrl)
  try {
    // DELETE, not TRUNCATE: ids keep counting up, so a run never reuses the user ids of one before
    // it (ad-hoc scripts on this shared database write to fixed ids such as 1).
    for (const table of ['statuses', 'users']) await mysql.query(`DELETE FROM ${table}`)
  } finally {
    await mysql.end()
  }
}
