// The MySQL side of the gateway's start: where to connect, and creating each configured
// database (utf8mb4) and each credential's MySQL user if missing, at start and again whenever a
// pool meets them missing.
import { serverAddress } from '@edge-status/gateway-kit'
import { type Account, provisionAccounts } from './accounts.ts'
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
export async function ensureDatabases(
  target: MysqlTarget,
  accounts: Account[],
  readOnly = false
): Promise<void> {
  try {
    if (!readOnly) {
      await createDatabases(target, [...new Set(accounts.map((account) => account.database))])
    }
    await provisionAccounts(target, accounts)
  } catch (err) {
    const errno = (err as { errno?: unknown }).errno
    if (typeof errno === 'number' && errno >= 1000) throw err
  }
}

const ER_BAD_DB_ERROR = 1049
const ER_DBACCESS_DENIED_ERROR = 1044
const ER_ACCESS_DENIED_ERROR = 1045
/** A missing database or user (or one whose password or grants were changed): set them up. */
const SET_UP_AGAIN = new Set([ER_BAD_DB_ERROR, ER_DBACCESS_DENIED_ERROR, ER_ACCESS_DENIED_ERROR])

/**
 * A connection to the account's database, logged in as the account (never as the admin). A
 * read-only server's databases come from its primary: it never creates one, only the account.
 */
export async function openDatabase(
  admin: MysqlTarget,
  account: Account,
  readOnly = false
): Promise<DbConn> {
  const as = { ...admin, user: account.user, password: account.password }
  try {
    return await openConnection(as, account.database)
  } catch (err) {
    if (!SET_UP_AGAIN.has((err as { errno?: number }).errno as number)) throw err
    if (!readOnly) await createDatabases(admin, [account.database])
    await provisionAccounts(admin, [account])
    return openConnection(as, account.database)
  }
}
