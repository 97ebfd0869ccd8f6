// Each gateway credential runs as a MySQL user of its own, granted its role's privileges on its
// own database and nothing else: no FILE, no GRANT, no SUPER, no other database. MySQL's own
// privilege checks are the boundary, whatever SQL the credential sends.
import { createHash, createHmac } from 'node:crypto'
import { createConnection } from 'mysql2/promise'
import type { MysqlTarget } from './mysql.ts'

/** PlanetScale's password roles. */
export type Role = 'reader' | 'writer' | 'readwriter' | 'admin'

const READ = ['SELECT', 'SHOW VIEW']
const WRITE = ['INSERT', 'UPDATE', 'DELETE']
/** What schema changes (migrations) need, on the credential's own database only. */
const DDL = [
  'CREATE',
  'ALTER',
  'DROP',
  'INDEX',
  'REFERENCES',
  'CREATE VIEW',
  'TRIGGER',
  'CREATE TEMPORARY TABLES',
]

export const ROLE_PRIVILEGES: Record<Role, string[]> = {
  reader: READ,
  writer: WRITE,
  readwriter: [...READ, ...WRITE],
  admin: [...READ, ...WRITE, ...DDL],
}

/** An app's credential reads, writes and migrates its schema. */
export const DEFAULT_ROLE: Role = 'admin'

export function isRole(text: string): text is Role {
  return Object.hasOwn(ROLE_PRIVILEGES, text)
}

export interface Credential {
  /** The gateway username (Basic auth) */
  name: string
  database: string
  role: Role
}

export interface Account {
  user: string
  password: string
  database: string
  role: Role
}

// Bumped when a role's privileges change: a new name, so no grant of an older gateway lingers on
// the user a credential runs as.
const VERSION = 'v1'

/**
 * The MySQL user a credential runs as: named after the credential, its database and its role,
 * with a password derived from the admin's credentials (every gateway in front of the same server
 * agrees on it; no one without the admin's password can compute it).
 */
export function accountFor(admin: MysqlTarget, credential: Credential): Account {
  const { name, database, role } = credential
  const readable = name.replace(/[^A-Za-z0-9_]/g, '').slice(0, 16)
  const digest = createHash('sha256')
    .update(`${name}\0${database}\0${role}\0${VERSION}`)
    .digest('hex')
  const user = `gw_${readable}_${digest.slice(0, 10)}`
  const password = createHmac('sha256', `${admin.user}\0${admin.password}`)
    .update(user)
    .digest('base64url')
  return { user, password, database, role }
}

/** `db`.* in a GRANT, with `_` and `%` taken literally (in a GRANT they are wildcards). */
function grantTarget(database: string): string {
  const literal = database.replace(/[\\_%]/g, '\\$&')
  return `\`${literal.replaceAll('`', '``')}\`.*`
}

/**
 * Creates the users (or sets their password back) and grants their roles, as the admin. The
 * users are created for the host MySQL sees the admin connect from, which is the gateway's.
 */
export async function provisionAccounts(admin: MysqlTarget, accounts: Account[]): Promise<void> {
  const conn = await createConnection({
    host: admin.host,
    port: admin.port,
    user: admin.user,
    password: admin.password,
  })
  try {
    const [rows] = await conn.query('SELECT SUBSTRING_INDEX(USER(), "@", -1) AS host')
    const host = String((rows as { host: string }[])[0]?.host)
    for (const { user, password, database, role } of accounts) {
      try {
        await conn.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, host, password])
        await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [user, host, password])
        const privileges = ROLE_PRIVILEGES[role].join(', ')
        await conn.query(`GRANT ${privileges} ON ${grantTarget(database)} TO ?@?`, [user, host])
      } catch (err) {
        const { message, errno } = err as { message: string; errno?: number }
        const where = `the MySQL user ${user}@${host} (${role} on ${database})`
        throw Object.assign(new Error(`cannot set up ${where}: ${message}`), { errno })
      }
    }
  } finally {
    await conn.end()
  }
}
