// The driver's everyday calls, driven by the official driver against the gateway and real MariaDB.

import type { RunningGateway } from '@edge-status/gateway-kit'
import { Client, connect } from '@planetscale/database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlanetScaleGateway } from '../src/gateway.ts'
import { caught, createTable, MYSQL_URL, unique } from './helpers.ts'

const DATABASE = 'gw_ps_test'

let gateway: RunningGateway
let url: string
let client: Client

beforeAll(async () => {
  gateway = await startPlanetScaleGateway({
    mysqlUrl: MYSQL_URL,
    users: { ps_exec: { password: 'exec-secret', database: DATABASE } },
  })
  url = `http://ps_exec:exec-secret@127.0.0.1:${gateway.port}`
  client = new Client({ url })
})
afterAll(() => gateway?.close())

describe('SELECT', () => {
  it('select 1 gives an INT64 string, no rowsAffected and insertId "0"', async () => {
    const res = await client.execute('select 1 as one')
    expect(res.rows, JSON.stringify(res.fields)).toEqual([{ one: '1' }])
    expect(res.types).toEqual({ one: 'INT64' })
    expect(res.rowsAffected).toBe(0)
    expect(res.insertId).toBe('0')
    expect(res.time, 'timing is reported').toBeGreaterThan(0)
  })

  it('positional and named placeholders select the same rows', async () => {
    const t = await createTable(client, 'ph', 'id INT PRIMARY KEY, name VARCHAR(20)')
    await client.execute(`INSERT INTO ${t} VALUES (41, 'a'), (42, 'b'), (43, 'c')`)
    const positional = await client.execute(`SELECT id, name FROM ${t} WHERE id = ?`, [42])
    const named = await client.execute(`SELECT id, name FROM ${t} WHERE id = :id`, { id: 42 })
    expect(positional.rows).toEqual([{ id: 42, name: 'b' }])
    expect(named.rows).toEqual(positional.rows)
  })

  it('does not report rowsAffected for a SELECT', async () => {
    const t = await createTable(client, 'sel', 'id INT PRIMARY KEY')
    await client.execute(`INSERT INTO ${t} VALUES (1), (2), (3)`)
    const res = await client.execute(`SELECT id FROM ${t}`)
    expect(res.size).toBe(3)
    expect(res.rowsAffected, 'rows returned are not rows affected').toBe(0)
  })
})

describe('DML', () => {
  it('INSERT reports rowsAffected and the insertId as a string, the first id for 3 rows', async () => {
    const t = await createTable(
      client,
      'ins',
      'id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v INT'
    )
    const one = await client.execute(`INSERT INTO ${t} (v) VALUES (?)`, [1])
    expect(one.rowsAffected).toBe(1)
    expect(one.insertId).toBe('1')
    const three = await client.execute(`INSERT INTO ${t} (v) VALUES (2), (3), (4)`)
    expect(three.rowsAffected).toBe(3)
    expect(three.insertId, 'first generated id of a multi-row insert').toBe('2')
  })

  it('reports an insertId above 2^53 exactly', async () => {
    const t = await createTable(
      client,
      'bigid',
      'id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v INT'
    )
    await client.execute(`INSERT INTO ${t} (id, v) VALUES (18446744073709551000, 0)`)
    const res = await client.execute(`INSERT INTO ${t} (v) VALUES (1)`)
    expect(res.insertId).toBe('18446744073709551001')
  })

  it('UPDATE reports matched rows, also for a no-op update; DELETE counts', async () => {
    const t = await createTable(client, 'upd', 'id INT PRIMARY KEY, plan VARCHAR(10)')
    await client.execute(`INSERT INTO ${t} VALUES (1, 'free'), (2, 'free'), (3, 'pro')`)
    const changed = await client.execute(`UPDATE ${t} SET plan = 'pro' WHERE id IN (1, 2)`)
    expect(changed.rowsAffected).toBe(2)
    const noop = await client.execute(`UPDATE ${t} SET plan = 'pro' WHERE id IN (1, 2)`)
    expect(noop.rowsAffected, 'CLIENT_FOUND_ROWS: matched, not changed').toBe(2)
    const deleted = await client.execute(`DELETE FROM ${t} WHERE plan = 'pro'`)
    expect(deleted.rowsAffected).toBe(3)
  })

  it('reports changed rows when clientFoundRows is false', async () => {
    const t = await createTable(client, 'cfr', 'id INT PRIMARY KEY, v INT')
    await client.execute(`INSERT INTO ${t} VALUES (1, 1)`)
    const other = await startPlanetScaleGateway({
      mysqlUrl: MYSQL_URL,
      users: { ps_cfr: { password: 'x', database: DATABASE } },
      clientFoundRows: false,
    })
    try {
      const c = new Client({ url: `http://ps_cfr:x@127.0.0.1:${other.port}` })
      const res = await c.execute(`UPDATE ${t} SET v = 1 WHERE id = 1`)
      expect(res.rowsAffected).toBe(0)
    } finally {
      await other.close()
    }
  })
})

describe('SQL errors', () => {
  it('duplicate key: status 400, ALREADY_EXISTS, errno and sqlstate exactly once', async () => {
    const t = await createTable(
      client,
      'dup',
      'id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(50) UNIQUE'
    )
    await client.execute(`INSERT INTO ${t} (email) VALUES (?)`, ['a@b.co'])
    const err = await caught(client.execute(`INSERT INTO ${t} (email) VALUES (?)`, ['a@b.co']))
    expect(err.status).toBe(400)
    expect(err.body.code).toBe('ALREADY_EXISTS')
    expect(err.message).toMatch(/Duplicate entry .* \(errno 1062\) \(sqlstate 23000\)/)
    expect(err.message.match(/\(errno \d+\) \(sqlstate \w+\)/g), err.message).toHaveLength(1)
    // Prisma's PlanetScale adapter parses the message with this regex
    const m = /^(.*) \(errno (\d+)\) \(sqlstate ([A-Z0-9]+)\)/.exec(err.message)
    expect(m?.[2]).toBe('1062')
  })

  it('syntax error is 1064 INVALID_ARGUMENT, missing table 1146 NOT_FOUND; session still usable', async () => {
    const conn = connect({ url })
    const syntax = await caught(conn.execute('selec 1'))
    expect(syntax.body.code).toBe('INVALID_ARGUMENT')
    expect(syntax.message).toMatch(/\(errno 1064\) \(sqlstate 42000\)/)
    const missing = await caught(conn.execute(`SELECT * FROM ${unique('nope')}`))
    expect(missing.body.code).toBe('NOT_FOUND')
    expect(missing.message).toMatch(/doesn't exist \(errno 1146\) \(sqlstate 42S02\)/)
    const ok = await conn.execute('select 2 as two')
    expect(ok.rows).toEqual([{ two: '2' }])
  })

  it('refuses multiple statements in one query (multi-statements are off)', async () => {
    const t = await createTable(client, 'multi', 'id INT PRIMARY KEY')
    const err = await caught(client.execute(`INSERT INTO ${t} VALUES (1); DROP TABLE ${t}`))
    expect(err.body.code).toBe('INVALID_ARGUMENT')
    expect(err.message).toMatch(/\(errno 1064\)/)
    const rows = await client.execute(`SELECT COUNT(*) AS n FROM ${t}`)
    expect(rows.rows, 'neither statement ran').toEqual([{ n: '0' }])
  })

  it('maps other errnos from PROTOCOL.md §6.1', async () => {
    const t = await createTable(
      client,
      'errs',
      'id INT PRIMARY KEY, name VARCHAR(3) NOT NULL, n TINYINT'
    )
    const cases: [string, string, number][] = [
      [`INSERT INTO ${t} (id, name) VALUES (1, NULL)`, 'INVALID_ARGUMENT', 1048],
      [`INSERT INTO ${t} (id, name) VALUES (1, 'toolong')`, 'INVALID_ARGUMENT', 1406],
      [`INSERT INTO ${t} (id, name, n) VALUES (1, 'a', 1000)`, 'FAILED_PRECONDITION', 1264],
      [`SELECT nope FROM ${t}`, 'NOT_FOUND', 1054],
      [`INSERT INTO ${t} (id) VALUES (1)`, 'UNKNOWN', 1364],
    ]
    for (const [sql, code, errno] of cases) {
      const err = await caught(client.execute(sql))
      expect({ code: err.body.code, errno: /\(errno (\d+)\)/.exec(err.message)?.[1] }, sql).toEqual(
        {
          code,
          errno: String(errno),
        }
      )
    }
  })
})

describe('transactions', () => {
  it('rolls back when the callback throws; a committed transaction is visible to a new Client', async () => {
    const t = await createTable(client, 'tx', 'id INT PRIMARY KEY')
    await expect(
      client.transaction(async (tx) => {
        await tx.execute(`INSERT INTO ${t} VALUES (1)`)
        throw new Error('boom')
      })
    ).rejects.toThrow('boom')
    const after = await new Client({ url }).execute(`SELECT COUNT(*) AS n FROM ${t}`)
    expect(after.rows, 'rolled back insert must not be visible').toEqual([{ n: '0' }])

    await client.transaction(async (tx) => {
      await tx.execute(`INSERT INTO ${t} VALUES (2)`)
      await tx.execute(`INSERT INTO ${t} VALUES (3)`)
    })
    const committed = await new Client({ url }).execute(`SELECT id FROM ${t} ORDER BY id`)
    expect(committed.rows).toEqual([{ id: 2 }, { id: 3 }])
  })

  it('a duplicate key inside a transaction, then ROLLBACK, leaves nothing behind', async () => {
    const t = await createTable(client, 'txdup', 'id INT PRIMARY KEY, email VARCHAR(50) UNIQUE')
    await client.execute(`INSERT INTO ${t} VALUES (1, 'taken@x.co')`)
    const err = await caught(
      client.transaction(async (tx) => {
        await tx.execute(`INSERT INTO ${t} VALUES (2, 'fresh@x.co')`)
        await tx.execute(`INSERT INTO ${t} VALUES (3, 'taken@x.co')`)
      })
    )
    expect(err.body.code).toBe('ALREADY_EXISTS')
    const rows = await client.execute(`SELECT id FROM ${t} ORDER BY id`)
    expect(rows.rows, 'only the row from before the transaction').toEqual([{ id: 1 }])
  })

  it('isolates an open transaction from other sessions until COMMIT', async () => {
    const t = await createTable(client, 'iso', 'id INT PRIMARY KEY')
    const conn = connect({ url })
    await conn.execute('BEGIN')
    await conn.execute(`INSERT INTO ${t} VALUES (1)`)
    const outside = await client.execute(`SELECT COUNT(*) AS n FROM ${t}`)
    expect(outside.rows, 'uncommitted row seen from another session').toEqual([{ n: '0' }])
    const inside = await conn.execute(`SELECT COUNT(*) AS n FROM ${t}`)
    expect(inside.rows).toEqual([{ n: '1' }])
    await conn.execute('COMMIT')
    const after = await client.execute(`SELECT COUNT(*) AS n FROM ${t}`)
    expect(after.rows).toEqual([{ n: '1' }])
  })
})

describe('sessions', () => {
  it('a connect() Connection keeps session state; a separate Client does not see it', async () => {
    const conn = connect({ url })
    await conn.execute('set @x = 5')
    const same = await conn.execute('select @x as x')
    expect(same.rows).toEqual([{ x: '5' }])
    for (let i = 0; i < 5; i++) {
      const other = await client.execute('select @x as x')
      expect(other.rows, 'user variable leaked into a pooled connection').toEqual([{ x: null }])
    }
  })

  it('LAST_INSERT_ID() follows the session, not the pooled connection', async () => {
    const t = await createTable(client, 'lid', 'id INT AUTO_INCREMENT PRIMARY KEY, v INT')
    const conn = connect({ url })
    const ins = await conn.execute(`INSERT INTO ${t} (v) VALUES (1)`)
    await client.execute(`INSERT INTO ${t} (v) VALUES (2)`)
    const lid = await conn.execute('SELECT LAST_INSERT_ID() AS id')
    expect(lid.rows).toEqual([{ id: ins.insertId }])
    const fresh = await client.execute('SELECT LAST_INSERT_ID() AS id')
    expect(fresh.rows, 'a new session has no last insert id').toEqual([{ id: '0' }])
  })

  it('accepts SET @@boost_cached_queries and USE @replica / @primary as no-ops', async () => {
    for (const sql of ['SET @@boost_cached_queries = true', 'USE @replica', 'use `@primary`']) {
      const res = await client.execute(sql)
      expect({ rows: res.rows, fields: res.fields, affected: res.rowsAffected }, sql).toEqual({
        rows: [],
        fields: [],
        affected: 0,
      })
    }
  })
})

describe('concurrency', () => {
  it('serves 50 parallel Client.execute calls with a pool, not a connection each', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.execute('SELECT ? AS i, SLEEP(0.01) AS s', [i]))
    )
    expect(results.map((r) => r.rows[0])).toEqual(
      Array.from({ length: 50 }, (_, i) => ({ i: String(i), s: '0' }))
    )
  })
})
