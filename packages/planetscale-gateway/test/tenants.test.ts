// One credential attacks another database and the server through the gateway, with the official
// driver: every way out of its database and its role is refused by MySQL's own privilege checks,
// and the other database, the users and the server's settings are what they were.
import { randomBytes } from 'node:crypto'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { Client, type DatabaseError } from '@planetscale/database'
import { type Connection, createConnection } from 'mysql2/promise'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startPlanetScaleGateway } from '../src/gateway.ts'
import { caught, MYSQL_URL } from './helpers.ts'

const ATTACKER_DB = 'gw_tenants_a'
/** Matched by the attacker's database name were "_" left a GRANT wildcard. */
const VICTIM_DB = 'gwxtenants_a'
const SECRET = `secret-${randomBytes(6).toString('hex')}`
const PASSWORD = randomBytes(12).toString('hex')

let gateway: RunningGateway
let admin: Connection
const clients: Record<string, Client> = {}

beforeAll(async () => {
  gateway = await startPlanetScaleGateway({
    mysqlUrl: MYSQL_URL,
    users: {
      attacker: { password: PASSWORD, database: ATTACKER_DB },
      victim: { password: PASSWORD, database: VICTIM_DB },
      reader: { password: PASSWORD, database: ATTACKER_DB, role: 'reader' },
      writer: { password: PASSWORD, database: ATTACKER_DB, role: 'writer' },
      readwriter: { password: PASSWORD, database: ATTACKER_DB, role: 'readwriter' },
    },
  })
  for (const name of ['attacker', 'victim', 'reader', 'writer', 'readwriter']) {
    clients[name] = new Client({ url: `http://${name}:${PASSWORD}@127.0.0.1:${gateway.port}` })
  }
  const url = new URL(MYSQL_URL)
  admin = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
  })
})

afterAll(async () => {
  await admin?.end()
  await gateway?.close()
})

beforeEach(async () => {
  await victim().execute('CREATE TABLE IF NOT EXISTS secrets (id INT PRIMARY KEY, v TEXT)')
  await victim().execute('REPLACE INTO secrets VALUES (1, ?)', [SECRET])
  await attacker().execute('CREATE TABLE IF NOT EXISTS loot (id INT PRIMARY KEY, v TEXT)')
  await attacker().execute('DELETE FROM loot')
})

const attacker = () => clients.attacker as Client
const victim = () => clients.victim as Client

async function adminRows(sql: string): Promise<unknown[]> {
  const [rows] = await admin.query(sql)
  return rows as unknown[]
}

/** What the attacker may not change: the victim's data, the databases, users, server settings. */
async function serverState(): Promise<unknown> {
  return {
    secrets: await adminRows(`SELECT * FROM ${VICTIM_DB}.secrets ORDER BY id`),
    victimTables: await adminRows(`SHOW TABLES FROM ${VICTIM_DB}`),
    databases: (await adminRows('SHOW DATABASES')).length,
    // Other tests' gateways add their credentials' users meanwhile: any other user is new.
    users: await adminRows(
      "SELECT user, host FROM mysql.user WHERE user NOT LIKE 'gw\\_%' ORDER BY user, host"
    ),
    rootGrants: await adminRows('SHOW GRANTS FOR CURRENT_USER()'),
    settings: await adminRows(
      'SELECT @@global.max_connections, @@global.general_log, @@global.read_only, ' +
        '@@global.general_log_file, @@global.sql_mode'
    ),
  }
}

const denied = /denied|not allowed|privilege|not owner/i

/** [what is tried, SQL]: each fails with MySQL's refusal. */
const ESCAPES: [string, string][] = [
  ['read the other database', `SELECT * FROM ${VICTIM_DB}.secrets`],
  ['write the other database', `INSERT INTO ${VICTIM_DB}.secrets VALUES (2, 'x')`],
  ['overwrite the other database', `UPDATE ${VICTIM_DB}.secrets SET v = 'pwned'`],
  ['switch to the other database', `USE ${VICTIM_DB}`],
  ['drop the other database', `DROP DATABASE ${VICTIM_DB}`],
  ['drop the other table', `DROP TABLE ${VICTIM_DB}.secrets`],
  ['truncate the other table', `TRUNCATE TABLE ${VICTIM_DB}.secrets`],
  ['move the other table in', `RENAME TABLE ${VICTIM_DB}.secrets TO ${ATTACKER_DB}.stolen`],
  ['copy the other table in', `CREATE TABLE stolen AS SELECT * FROM ${VICTIM_DB}.secrets`],
  ['clone the other table', `CREATE TABLE stolen LIKE ${VICTIM_DB}.secrets`],
  [
    'merge the other table in',
    `CREATE TABLE stolen (id INT, v TEXT) ENGINE=MERGE UNION=(${VICTIM_DB}.secrets)`,
  ],
  ['describe the other table', `SHOW CREATE TABLE ${VICTIM_DB}.secrets`],
  ['explain a read of the other table', `EXPLAIN SELECT * FROM ${VICTIM_DB}.secrets`],
  ['open a handler on the other table', `HANDLER ${VICTIM_DB}.secrets OPEN`],
  ['a view over the other table', `CREATE VIEW peek AS SELECT * FROM ${VICTIM_DB}.secrets`],
  [
    'a view run as root',
    `CREATE DEFINER = root@localhost SQL SECURITY DEFINER VIEW peek AS SELECT 1`,
  ],
  ['a stored procedure', 'CREATE PROCEDURE peek() SELECT 1'],
  ['create a database', 'CREATE DATABASE tenants_evil'],
  ['write a file', `SELECT 'x' INTO OUTFILE '/tmp/gw_tenants_${randomBytes(4).toString('hex')}'`],
  [
    'dump a table to a file',
    `SELECT * FROM loot INTO DUMPFILE '/tmp/gw_tenants_${randomBytes(4).toString('hex')}'`,
  ],
  ['read a server file into a table', "LOAD DATA INFILE '/etc/passwd' INTO TABLE loot"],
  ["read the gateway's files into a table", "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE loot"],
  ['create a user', "CREATE USER tenants_evil IDENTIFIED BY 'x'"],
  ['grant itself everything', 'GRANT ALL PRIVILEGES ON *.* TO CURRENT_USER()'],
  ['grant itself the other database', `GRANT SELECT ON ${VICTIM_DB}.* TO CURRENT_USER()`],
  ["change root's password", "SET PASSWORD FOR root@localhost = PASSWORD('x')"],
  ['alter root', "ALTER USER root@localhost IDENTIFIED BY 'x'"],
  ['read the user table', 'SELECT * FROM mysql.user'],
  ['read the privilege table', 'SELECT * FROM mysql.global_priv'],
  ['change a global setting', 'SET GLOBAL max_connections = 1'],
  ['turn on the general log', 'SET GLOBAL general_log = 1'],
  ['move the general log', "SET GLOBAL general_log_file = '/tmp/gw_tenants.log'"],
  ['make the server read-only', 'SET GLOBAL read_only = 1'],
  ['skip the binary log', 'SET SESSION sql_log_bin = 0'],
  ['flush privileges', 'FLUSH PRIVILEGES'],
  ['flush tables', 'FLUSH TABLES'],
  ['shut the server down', 'SHUTDOWN'],
  ['install a plugin', "INSTALL SONAME 'ha_connect'"],
  ['load a UDF', "CREATE FUNCTION evil RETURNS STRING SONAME 'evil.so'"],
  ['change the replication source', "CHANGE MASTER TO MASTER_HOST = '127.0.0.1'"],
  ['purge the binary logs', 'PURGE BINARY LOGS BEFORE NOW()'],
]

function expectDenied(error: DatabaseError, what: string): void {
  expect(error.message, what).toMatch(denied)
  if (/access denied|command denied/i.test(error.body.message)) {
    expect(error.body.code, `${what}: ${error.body.message}`).toBe('PERMISSION_DENIED')
  }
  expect(error.message, what).not.toContain(SECRET)
}

describe('a credential cannot leave its database', () => {
  for (const [what, sql] of ESCAPES) {
    it(`refuses: ${what}`, async () => {
      const before = await serverState()
      expectDenied(await caught(attacker().execute(sql)), what)
      // And inside a transaction (a session pinned to one connection).
      const inTransaction = await caught(attacker().transaction((tx) => tx.execute(sql)))
      expectDenied(inTransaction, `${what} (in a transaction)`)
      expect(await serverState(), 'the other database and the server are unchanged').toEqual(before)
      expect((await attacker().execute('SELECT COUNT(*) AS n FROM loot')).rows).toEqual([
        { n: '0' },
      ])
    })
  }

  it('runs with its own grants only: its database, no global privilege, no GRANT OPTION', async () => {
    const grants = (await attacker().execute('SHOW GRANTS')).rows.map((row) =>
      String(Object.values(row as Record<string, unknown>)[0])
    )
    const text = grants.join('\n')
    expect(text).not.toMatch(/ALL PRIVILEGES|GRANT OPTION|SUPER|FILE|PROCESS|RELOAD|SHUTDOWN/)
    expect(text).toMatch(/GRANT USAGE ON \*\.\*/)
    expect(text).toMatch(/ON `gw\\_tenants\\_a`\.\*/)
    expect(text).not.toContain(VICTIM_DB)
  })

  it('sees only its own database, its own threads, and no file content', async () => {
    const databases = (await attacker().execute('SHOW DATABASES')).rows.map((row) =>
      String(Object.values(row as Record<string, unknown>)[0])
    )
    expect(databases.sort()).toEqual([ATTACKER_DB, 'information_schema'])
    const tables = await attacker().execute(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = ?',
      [VICTIM_DB]
    )
    expect(tables.rows).toEqual([])
    const threads = await attacker().execute('SELECT user, db FROM information_schema.processlist')
    for (const row of threads.rows as { user: string; db: string | null }[]) {
      expect(row.user, JSON.stringify(threads.rows)).toMatch(/^gw_attacker_/)
    }
    const file = await attacker().execute("SELECT LOAD_FILE('/etc/passwd') AS f")
    expect(file.rows).toEqual([{ f: null }])
  })

  it("cannot kill another credential's or the admin's connection", async () => {
    const [row] = (await adminRows('SELECT CONNECTION_ID() AS id')) as { id: number }[]
    const id = row?.id
    expectDenied(await caught(attacker().execute(`KILL ${id}`)), 'KILL the admin')
    expectDenied(await caught(attacker().execute(`KILL QUERY ${id}`)), 'KILL QUERY the admin')
    expect(await adminRows('SELECT 1 AS alive')).toEqual([{ alive: 1 }])
  })

  it('changing its own MySQL password locks nobody out: the gateway sets it back', async () => {
    const own = await startPlanetScaleGateway({
      mysqlUrl: MYSQL_URL,
      users: { selfchange: { password: PASSWORD, database: ATTACKER_DB } },
      poolSize: 1,
    })
    try {
      const client = new Client({ url: `http://selfchange:${PASSWORD}@127.0.0.1:${own.port}` })
      await client.execute("SET PASSWORD = PASSWORD('changed-by-the-tenant')")
      // Its one pooled connection goes; the next one must log in again.
      await client.execute('KILL CONNECTION_ID()').catch(() => undefined)
      expect((await client.execute('SELECT 1 AS one')).rows).toEqual([{ one: '1' }])
    } finally {
      await own.close()
    }
  })

  it('runs migrations on its own database: CREATE, ALTER, INDEX, DROP', async () => {
    await attacker().execute('DROP TABLE IF EXISTS migrated')
    await attacker().execute('CREATE TABLE migrated (id INT PRIMARY KEY, v TEXT)')
    await attacker().execute('ALTER TABLE migrated ADD COLUMN w INT NOT NULL DEFAULT 0')
    await attacker().execute('CREATE INDEX migrated_w ON migrated (w)')
    await attacker().execute('DROP TABLE migrated')
  })
})

describe('roles', () => {
  const denies = async (client: Client, sql: string) =>
    expectDenied(await caught(client.execute(sql)), sql)

  it('reader: reads, and writes nothing', async () => {
    const reader = clients.reader as Client
    await attacker().execute("INSERT INTO loot VALUES (1, 'a')")
    expect((await reader.execute('SELECT id FROM loot')).rows).toEqual([{ id: 1 }])
    await denies(reader, "INSERT INTO loot VALUES (2, 'b')")
    await denies(reader, "UPDATE loot SET v = 'x'")
    await denies(reader, 'DELETE FROM loot')
    await denies(reader, 'CREATE TABLE reader_made (id INT)')
    await denies(reader, 'DROP TABLE loot')
    expect((await attacker().execute('SELECT id, v FROM loot')).rows).toEqual([{ id: 1, v: 'a' }])
  })

  it('writer: inserts, and reads nothing', async () => {
    const writer = clients.writer as Client
    await writer.execute("INSERT INTO loot VALUES (3, 'c')")
    await denies(writer, 'SELECT * FROM loot')
    await denies(writer, 'ALTER TABLE loot ADD COLUMN x INT')
    expect((await attacker().execute('SELECT id FROM loot')).rows).toEqual([{ id: 3 }])
  })

  it('readwriter: reads and writes, and changes no schema', async () => {
    const readwriter = clients.readwriter as Client
    await readwriter.execute("INSERT INTO loot VALUES (4, 'd')")
    await readwriter.execute("UPDATE loot SET v = 'e' WHERE id = 4")
    expect((await readwriter.execute('SELECT v FROM loot')).rows).toEqual([{ v: 'e' }])
    await denies(readwriter, 'CREATE TABLE rw_made (id INT)')
    await denies(readwriter, 'ALTER TABLE loot ADD COLUMN x INT')
    await denies(readwriter, 'DROP TABLE loot')
    await denies(readwriter, `SELECT * FROM ${VICTIM_DB}.secrets`)
  })
})
