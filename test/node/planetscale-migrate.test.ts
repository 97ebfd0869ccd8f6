// scripts/migrate.ts through the gateway: order, idempotence, status, concurrent runs.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { startPlanetScaleGateway } from '@edge-status/planetscale-gateway'
import { Client, DatabaseError } from '@planetscale/database'
import { createConnection } from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../scripts/lib/processes.ts'
import { migrate, migrationStatus, splitStatements } from '../../scripts/migrate.ts'
import { MYSQL_URL } from './backends.ts'

const suffix = randomBytes(4).toString('hex')
const DATABASES = {
  a: `gw_ps_mig_a_${suffix}`,
  b: `gw_ps_mig_b_${suffix}`,
  c: `gw_ps_mig_c_${suffix}`,
}

let gateway: RunningGateway
let dir: string
const urlFor = (user: string) => `http://${user}:pw@127.0.0.1:${gateway.port}`

beforeAll(async () => {
  gateway = await startPlanetScaleGateway({
    mysqlUrl: MYSQL_URL,
    users: {
      mig_a: { password: 'pw', database: DATABASES.a },
      mig_b: { password: 'pw', database: DATABASES.b },
      mig_c: { password: 'pw', database: DATABASES.c },
    },
  })
  dir = await mkdtemp(join(tmpdir(), 'migrations-'))
  await writeFile(
    join(dir, '0001_create_things.sql'),
    `-- things with a name
CREATE TABLE things (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(20) NOT NULL -- trailing; semicolons in comments are not split points
);
`
  )
  await writeFile(
    join(dir, '0002_seed.sql'),
    "INSERT INTO things (name) VALUES ('first');\nINSERT INTO things (name) VALUES ('a;b');\n"
  )
  await writeFile(join(dir, 'README.md'), 'not a migration')
})

afterAll(async () => {
  await gateway?.close()
  await rm(dir, { recursive: true, force: true })
  const admin = await createConnection(MYSQL_URL)
  for (const db of Object.values(DATABASES)) await admin.query(`DROP DATABASE IF EXISTS ${db}`)
  await admin.end()
})

describe('splitStatements', () => {
  it('drops comment lines and splits on semicolons at line ends only', () => {
    expect(
      splitStatements("-- c\nCREATE TABLE a (x INT);\n\nINSERT INTO a VALUES (1);\nSELECT 'a;b'")
    ).toEqual(['CREATE TABLE a (x INT)', 'INSERT INTO a VALUES (1)', "SELECT 'a;b'"])
  })
})

describe('an unreachable database', () => {
  it('is named, its password hidden, with the command that starts the local one', async () => {
    const url = `http://app:hunter2@127.0.0.1:${await freePort()}`
    for (const run of [() => migrationStatus(url, dir), () => migrate(url, dir)]) {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(Error)
      const { message } = error as Error
      expect(message).toMatch(/^cannot reach the database at http:\/\/app:\*\*\*@127\.0\.0\.1:\d+ /)
      expect(message).toContain('npm run services')
      expect(message).not.toContain('hunter2')
    }
  })
})

describe('migrate', () => {
  it('applies files in name order, records them, and is idempotent', async () => {
    const url = urlFor('mig_a')
    const logs: string[] = []
    expect(await migrationStatus(url, dir)).toEqual({
      applied: [],
      pending: ['0001_create_things.sql', '0002_seed.sql'],
    })
    const first = await migrate(url, dir, { log: (m) => logs.push(m) })
    expect(first.applied).toEqual(['0001_create_things.sql', '0002_seed.sql'])
    expect(logs.join('\n')).toMatch(/applying 0001_create_things\.sql/)
    const rows = await new Client({ url }).execute('SELECT name FROM things ORDER BY id')
    expect(rows.rows).toEqual([{ name: 'first' }, { name: 'a;b' }])

    const second = await migrate(url, dir)
    expect(second.applied, 'a second run applies nothing').toEqual([])
    const recorded = await new Client({ url }).execute(
      'SELECT name, applied_at FROM schema_migrations ORDER BY name'
    )
    expect(recorded.rows.map((r) => (r as { name: string }).name)).toEqual([
      '0001_create_things.sql',
      '0002_seed.sql',
    ])

    await writeFile(join(dir, '0003_more.sql'), 'ALTER TABLE things ADD COLUMN n INT NULL;\n')
    try {
      expect((await migrationStatus(url, dir)).pending).toEqual(['0003_more.sql'])
      expect((await migrate(url, dir)).applied).toEqual(['0003_more.sql'])
      expect(await migrationStatus(url, dir)).toEqual({
        applied: ['0001_create_things.sql', '0002_seed.sql', '0003_more.sql'],
        pending: [],
      })
    } finally {
      await rm(join(dir, '0003_more.sql'))
    }
  })

  it('two concurrent runs apply every file exactly once', async () => {
    const url = urlFor('mig_b')
    const [x, y] = await Promise.all([migrate(url, dir), migrate(url, dir)])
    expect([...x.applied, ...y.applied].sort()).toEqual(['0001_create_things.sql', '0002_seed.sql'])
    const rows = await new Client({ url }).execute('SELECT COUNT(*) AS n FROM things')
    expect(rows.rows, 'the seed ran once').toEqual([{ n: '2' }])
  })

  it("applies the project's migrations; users.email is unique", async () => {
    const url = urlFor('mig_c')
    const { applied } = await migrate(url)
    expect(applied[0]).toBe('0001_create_users.sql')
    const db = new Client({ url })
    const insert = 'INSERT INTO users (email, name, password_hash) VALUES (?, ?, ?)'
    const ok = await db.execute(insert, ['a@example.test', 'A', 'hash'])
    expect(ok.insertId).toBe('1')
    const err = await db.execute(insert, ['a@example.test', 'B', 'hash']).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DatabaseError)
    expect((err as DatabaseError).body.code).toBe('ALREADY_EXISTS')
    const row = await db.execute('SELECT id, email, created_at, updated_at FROM users')
    expect(row.types).toMatchObject({
      id: 'UINT64',
      created_at: 'DATETIME',
      updated_at: 'DATETIME',
    })
    expect((row.rows[0] as { created_at: string }).created_at).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/
    )
    expect((await migrate(url)).applied).toEqual([])
  })
})
