// The MySQL side of the gateway's start: where to connect, and creating each configured
// database (utf8mb4) if it is missing, at start and again whenever a pool meets it missing.
import { serverAddress } from '@edge-status/gateway-kit'
import { type DbConn, type MysqlTarget, openConnection } from './mysql.ts'

export function mysqlTarget(
  mysqlUrl: string,
  options: { clientFoundRows: boolean; statementTimeoutMs: number }
): MysqlTarget {
  const { host, port, user, password } = serverAddress(mysqlUrl, 3306)
  return { host, port, user: user || 'root', password, ...options }
}

function quoteIdent(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``
}

async function createDatabases(target: MysqlTarget, databases: string[]): Promise<void> {
  const admin = await openConnection(target)
  try {
    for (const db of databases) {
      const out = await admin.run(
        `CREATE DATABASE IF NOT EXISTS ${quoteIdent(db)} CHARACTER SET utf8mb4`,
        1024
      )
      if (out.kind === 'sql-error') {
        const message = `cannot create database ${db}: ${out.message}`
        throw Object.assign(new Error(message), { errno: out.errno })
      }
    }
  } finally {
    await admin.end()
  }
}

/**
 * At start; if MySQL is down the pools create the databases once it is back (checkBackend()
 * reports it to callers who want to know now).
 */
export async function ensureDatabases(target: MysqlTarget, databases: string[]): Promise<void> {
  try {
    await createDatabases(target, databases)
  } catch (err) {
    const errno = (err as { errno?: unknown }).errno
    if (typeof errno === 'number' && errno >= 1000) throw err
  }
}

const ER_BAD_DB_ERROR = 1049

/** A read-only server's databases come from its primary: it never creates one. */
export async function openDatabase(
  target: MysqlTarget,
  db: string,
  readOnly = false
): Promise<DbConn> {
  try {
    return await openConnection(target, db)
  } catch (err) {
    if (readOnly || (err as { errno?: number }).errno !== ER_BAD_DB_ERROR) throw err
    await createDatabases(target, [db])
    return openConnection(target, db)
  }
}
