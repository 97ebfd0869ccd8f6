// Field types and value encoding (PROTOCOL.md §5), end to end and per module.

import type { RunningGateway } from '@edge-status/gateway-kit'
import { Client } from '@planetscale/database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Authenticator } from '../src/auth.ts'
import { okResultJson, RowEncoder, uint64String } from '../src/encode.ts'
import { codeForErrno, sqlError } from '../src/errors.ts'
import { startPlanetScaleGateway } from '../src/gateway.ts'
import { isNoop, isPlainRollback, isStateful } from '../src/statements.ts'
import { type ColumnDef, fieldJson, vitessType } from '../src/types.ts'
import { createTable, MYSQL_URL } from './helpers.ts'

const DATABASE = 'gw_ps_test'

let gateway: RunningGateway
let client: Client

beforeAll(async () => {
  gateway = await startPlanetScaleGateway({
    mysqlUrl: MYSQL_URL,
    users: { ps_types: { password: 'types-secret', database: DATABASE } },
  })
  client = new Client({ url: `http://ps_types:types-secret@127.0.0.1:${gateway.port}` })
})
afterAll(() => gateway?.close())

/** The raw wire result, to check what the driver does not show (lengths, omitted keys). */
async function wire(query: string) {
  const res = await fetch(`http://127.0.0.1:${gateway.port}/psdb.v1alpha1.Database/Execute`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${btoa('ps_types:types-secret')}`,
    },
    body: JSON.stringify({ query, session: null }),
  })
  return (await res.json()) as {
    result: { fields: Record<string, unknown>[]; rows?: { lengths: string[]; values?: string }[] }
  }
}

describe('column types through the driver', () => {
  it('casts every type as PlanetScale does', async () => {
    const t = await createTable(
      client,
      'types',
      `id INT PRIMARY KEY, big BIGINT, ubig BIGINT UNSIGNED, dec_ DECIMAL(10,2), f FLOAT, d DOUBLE,
       dt DATE, dt3 DATETIME(3), dt0 DATETIME, ts TIMESTAMP NULL, tm TIME, y YEAR, b BOOLEAN,
       ut TINYINT UNSIGNED, e ENUM('a','b'), s SET('a','b','c'), j JSON, vb VARBINARY(8), bl BLOB,
       bn BINARY(4), vbin VARCHAR(20) COLLATE utf8mb4_bin, tx TEXT, bt BIT(3), ch CHAR(4)`
    )
    await client.execute(
      `INSERT INTO ${t} VALUES (1, 9007199254740993, 18446744073709551615, 12.5, 1.1, 2.25,
       '2024-01-02', '2024-01-02 03:04:05.678', '2024-01-02 03:04:05', '2024-01-02 03:04:05',
       '-838:59:59', 2006, true, 200, 'b', 'a,c', '{"a": 1, "b": [true, null]}', x'00ff', x'0102',
       x'01', 'Zoë bin', 'hé', b'101', 'ab')`
    )
    const res = await client.execute(`SELECT * FROM ${t}`)
    const row = res.rows[0] as Record<string, unknown>
    expect(row).toEqual({
      id: 1,
      big: '9007199254740993',
      ubig: '18446744073709551615',
      dec_: '12.50',
      f: 1.1,
      d: 2.25,
      dt: '2024-01-02',
      dt3: '2024-01-02 03:04:05.678',
      dt0: '2024-01-02 03:04:05',
      ts: '2024-01-02 03:04:05',
      tm: '-838:59:59',
      y: 2006,
      b: 1,
      ut: 200,
      e: 'b',
      s: 'a,c',
      j: { a: 1, b: [true, null] },
      vb: new Uint8Array([0, 255]),
      bl: new Uint8Array([1, 2]),
      bn: new Uint8Array([1, 0, 0, 0]),
      vbin: 'Zoë bin',
      tx: 'hé',
      bt: new Uint8Array([5]),
      ch: 'ab',
    })
    expect(res.types).toEqual({
      id: 'INT32',
      big: 'INT64',
      ubig: 'UINT64',
      dec_: 'DECIMAL',
      f: 'FLOAT32',
      d: 'FLOAT64',
      dt: 'DATE',
      dt3: 'DATETIME',
      dt0: 'DATETIME',
      ts: 'TIMESTAMP',
      tm: 'TIME',
      y: 'YEAR',
      b: 'INT8',
      ut: 'UINT8',
      e: 'ENUM',
      s: 'SET',
      j: 'JSON',
      vb: 'VARBINARY',
      bl: 'BLOB',
      bn: 'BINARY',
      vbin: 'VARBINARY',
      tx: 'TEXT',
      bt: 'BIT',
      ch: 'CHAR',
    })
  })

  it('reports field metadata: table, database, charset 63 for binary, NUM flag, decimals', async () => {
    const t = await createTable(
      client,
      'meta',
      'id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, name VARCHAR(10)'
    )
    const { result } = await wire(`SELECT id, name FROM ${t}`)
    const [id, name] = result.fields
    expect(id).toMatchObject({ name: 'id', type: 'UINT64', table: t, orgTable: t, orgName: 'id' })
    expect(id?.database).toBe(DATABASE)
    expect(id?.charset).toBe(63)
    expect(Number(id?.flags) & 32768, 'NUM flag on a numeric column').toBe(32768)
    expect(name?.columnLength, 'bytes: 10 utf8mb4 characters').toBe(40)
    expect(Number(name?.flags ?? 0) & 32768).toBe(0)
    const dt = await wire("SELECT CAST('2024-01-02 03:04:05.6' AS DATETIME(3)) AS d")
    expect(dt.result.fields[0]?.decimals).toBe(3)
  })

  it('JSON columns on MariaDB and JSON expressions give objects', async () => {
    const t = await createTable(client, 'js', 'id INT PRIMARY KEY, doc JSON')
    await client.execute(`INSERT INTO ${t} VALUES (1, ?)`, [JSON.stringify({ k: ['v', 2] })])
    const col = await client.execute(`SELECT doc FROM ${t}`)
    expect(col.rows).toEqual([{ doc: { k: ['v', 2] } }])
    const expr = await client.execute("SELECT JSON_OBJECT('a', 1) AS o, JSON_ARRAY(1, 'x') AS a")
    expect(expr.rows).toEqual([{ o: { a: 1 }, a: [1, 'x'] }])
    expect(expr.types).toEqual({ o: 'JSON', a: 'JSON' })
  })

  it('aggregates: COUNT(*) is an INT64 string, SUM and AVG DECIMAL strings', async () => {
    const t = await createTable(client, 'agg', 'id INT PRIMARY KEY, n INT')
    await client.execute(`INSERT INTO ${t} VALUES (1, 2), (2, 3)`)
    const res = await client.execute(`SELECT COUNT(*) AS c, SUM(n) AS s, AVG(n) AS a FROM ${t}`)
    expect(res.rows).toEqual([{ c: '2', s: '5', a: '2.5000' }])
    expect(res.types).toEqual({ c: 'INT64', s: 'DECIMAL', a: 'DECIMAL' })
  })

  it('NULL is null, empty string is empty; SELECT NULL has no type', async () => {
    const res = await client.execute("SELECT NULL, '' AS empty")
    expect(res.rows).toEqual([{ NULL: null, empty: '' }])
    expect(res.types).toEqual({ NULL: 'NULL', empty: 'VARCHAR' })
    const { result } = await wire("SELECT NULL, '' AS empty")
    expect(result.fields[0]?.type, 'NULL_TYPE is omitted').toBeUndefined()
    expect(result.rows, 'values omitted when every value is NULL or empty').toEqual([
      { lengths: ['-1', '0'] },
    ])
  })

  it('UTC time zone and a strict sql_mode without NO_BACKSLASH_ESCAPES', async () => {
    const res = await client.execute('SELECT @@session.time_zone AS tz, @@session.sql_mode AS m')
    const row = res.rows[0] as { tz: string; m: string }
    expect(row.tz).toBe('+00:00')
    expect(row.m).toContain('STRICT_TRANS_TABLES')
    expect(row.m).not.toContain('NO_BACKSLASH_ESCAPES')
  })
})

describe('text round trips', () => {
  it('Unicode and CJK round-trip; lengths are byte counts', async () => {
    const t = await createTable(client, 'uni', 'id INT PRIMARY KEY, s VARCHAR(100)')
    const values = ['Zoë 🙂', '漢字とかなカナ', '한국어', '👩‍👩‍👧‍👦']
    for (const [i, v] of values.entries()) {
      await client.execute(`INSERT INTO ${t} VALUES (?, ?)`, [i, v])
    }
    const res = await client.execute(`SELECT s FROM ${t} ORDER BY id`)
    expect(res.rows.map((r) => (r as { s: string }).s)).toEqual(values)
    const { result } = await wire("SELECT 'Zoë 🙂' AS s")
    expect(result.rows?.[0]?.lengths).toEqual([String(Buffer.byteLength('Zoë 🙂'))])
    expect(result.rows?.[0]?.lengths).toEqual(['9'])
  })

  it('a 1 MB TEXT value round-trips byte-exact', async () => {
    const t = await createTable(client, 'big', 'id INT PRIMARY KEY, body MEDIUMTEXT')
    const value = 'abc ü 🙂 漢\n'.repeat(70_000)
    expect(Buffer.byteLength(value)).toBeGreaterThan(1_000_000)
    await client.execute(`INSERT INTO ${t} VALUES (1, ?)`, [value])
    const res = await client.execute(`SELECT body, LENGTH(body) AS n FROM ${t}`)
    const row = res.rows[0] as { body: string; n: string }
    expect(row.n).toBe(String(Buffer.byteLength(value)))
    expect(row.body === value, 'the 1 MB value differs after the round trip').toBe(true)
  })

  it('quotes, backslashes, newlines and NUL bytes survive placeholders', async () => {
    const t = await createTable(client, 'esc', 'id INT PRIMARY KEY, s TEXT')
    const value = `it's "quoted" \\ back\\slash\nline\r\ttab \0 nul \x1a sub %_`
    await client.execute(`INSERT INTO ${t} VALUES (1, ?)`, [value])
    const res = await client.execute(`SELECT s, HEX(s) AS h FROM ${t}`)
    const row = res.rows[0] as { s: string; h: string }
    expect(row.s).toBe(value)
    expect(row.h).toBe(Buffer.from(value).toString('hex').toUpperCase())
  })

  it('Date parameters land in DATETIME(3) and read back with milliseconds', async () => {
    const t = await createTable(client, 'dates', 'id INT PRIMARY KEY, at DATETIME(3)')
    await client.execute(`INSERT INTO ${t} VALUES (1, ?)`, [new Date('2024-01-02T03:04:05.678Z')])
    const res = await client.execute(`SELECT at FROM ${t}`)
    expect(res.rows).toEqual([{ at: '2024-01-02 03:04:05.678' }])
  })

  it('binary values from Uint8Array parameters come back as Uint8Array', async () => {
    const t = await createTable(client, 'bin', 'id INT PRIMARY KEY, b VARBINARY(16), bl LONGBLOB')
    const bytes = new Uint8Array([0, 1, 127, 128, 255, 39, 92])
    await client.execute(`INSERT INTO ${t} VALUES (1, ?, ?)`, [bytes, bytes])
    const res = await client.execute(`SELECT b, bl FROM ${t}`)
    expect(res.rows).toEqual([{ b: bytes, bl: bytes }])
  })
})

const def = (over: Partial<ColumnDef>): ColumnDef => ({
  name: 'c',
  columnType: 253,
  flags: 0,
  characterSet: 224,
  columnLength: 0,
  decimals: 0,
  table: '',
  orgTable: '',
  orgName: '',
  schema: '',
  ...over,
})

describe('type mapping', () => {
  it('follows Vitess mysqlToType and modifyType', () => {
    const cases: [number, number, string][] = [
      [1, 0, 'INT8'],
      [1, 32, 'UINT8'],
      [2, 0, 'INT16'],
      [9, 32, 'UINT24'],
      [3, 32, 'UINT32'],
      [8, 0, 'INT64'],
      [4, 0, 'FLOAT32'],
      [5, 0, 'FLOAT64'],
      [0, 0, 'DECIMAL'],
      [246, 0, 'DECIMAL'],
      [7, 0, 'TIMESTAMP'],
      [10, 0, 'DATE'],
      [11, 0, 'TIME'],
      [12, 0, 'DATETIME'],
      [13, 0, 'YEAR'],
      [16, 0, 'BIT'],
      [245, 0, 'JSON'],
      [252, 0, 'TEXT'],
      [252, 128, 'BLOB'],
      [253, 0, 'VARCHAR'],
      [253, 128, 'VARBINARY'],
      [254, 0, 'CHAR'],
      [254, 128, 'BINARY'],
      [254, 256, 'ENUM'],
      [254, 2048, 'SET'],
      [247, 0, 'ENUM'],
      [248, 0, 'SET'],
      [255, 0, 'GEOMETRY'],
      [6, 128, 'NULL_TYPE'],
    ]
    for (const [code, flags, name] of cases) {
      expect(vitessType(code, flags), `code ${code} flags ${flags}`).toBe(name)
    }
    expect(vitessType(252, 144, 'json')).toBe('JSON')
  })

  it('adds NUM to numeric codes only and omits zero values', () => {
    expect(JSON.parse(fieldJson(def({ columnType: 246, flags: 1 }))).flags).toBe(32769)
    expect(JSON.parse(fieldJson(def({ columnType: 7, flags: 1 }))).flags).toBe(1)
    expect(JSON.parse(fieldJson(def({ columnType: 13 }))).flags).toBe(32768)
    expect(JSON.parse(fieldJson(def({ columnType: 253 })))).toEqual({
      name: 'c',
      type: 'VARCHAR',
      charset: 224,
    })
  })

  it('reports MariaDB integer expressions as INT64, like MySQL, but not table columns', () => {
    expect(JSON.parse(fieldJson(def({ columnType: 3 }), true)).type).toBe('INT64')
    expect(JSON.parse(fieldJson(def({ columnType: 3, flags: 32 }), true)).type).toBe('UINT64')
    expect(JSON.parse(fieldJson(def({ columnType: 3, orgTable: 't' }), true)).type).toBe('INT32')
    expect(JSON.parse(fieldJson(def({ columnType: 3 }), false)).type).toBe('INT32')
  })
})

describe('row encoding', () => {
  it('concatenates non-NULL bytes and omits values for an all-empty row', () => {
    const enc = new RowEncoder(1 << 20)
    enc.push([Buffer.from('1'), null, Buffer.from('Zoë'), Buffer.alloc(0)])
    enc.push([null, Buffer.alloc(0)])
    expect(JSON.parse(`[${enc.json}]`)).toEqual([
      { lengths: ['1', '-1', '4', '0'], values: Buffer.from('1Zoë').toString('base64') },
      { lengths: ['-1', '0'] },
    ])
  })

  it('refuses a result over the limit instead of truncating it', () => {
    const enc = new RowEncoder(100)
    expect(enc.push([Buffer.alloc(50)])).toBe(true)
    expect(enc.push([Buffer.alloc(60)])).toBe(false)
    expect(enc.overflow).toBe(true)
  })

  it('renders counts as strings, omitted when zero; unsigned 64-bit ids unwrapped', () => {
    expect(okResultJson('0', '0')).toBe('{}')
    expect(okResultJson('3', '0')).toBe('{"rowsAffected":"3"}')
    expect(okResultJson('1', '42')).toBe('{"rowsAffected":"1","insertId":"42"}')
    expect(uint64String('-616')).toBe('18446744073709551000')
    expect(uint64String(42)).toBe('42')
  })
})

describe('errors and statements', () => {
  it('maps errnos to Vitess codes', () => {
    const table: [number, string][] = [
      [1062, 'ALREADY_EXISTS'],
      [1050, 'ALREADY_EXISTS'],
      [1146, 'NOT_FOUND'],
      [1054, 'NOT_FOUND'],
      [1109, 'NOT_FOUND'],
      [1064, 'INVALID_ARGUMENT'],
      [1048, 'INVALID_ARGUMENT'],
      [1406, 'INVALID_ARGUMENT'],
      [1690, 'INVALID_ARGUMENT'],
      [1292, 'INVALID_ARGUMENT'],
      [1366, 'INVALID_ARGUMENT'],
      [1051, 'INVALID_ARGUMENT'],
      [1451, 'FAILED_PRECONDITION'],
      [1452, 'FAILED_PRECONDITION'],
      [1216, 'FAILED_PRECONDITION'],
      [1217, 'FAILED_PRECONDITION'],
      [1264, 'FAILED_PRECONDITION'],
      [1213, 'ABORTED'],
      [1205, 'DEADLINE_EXCEEDED'],
      [1044, 'PERMISSION_DENIED'],
      [1045, 'PERMISSION_DENIED'],
      [1364, 'UNKNOWN'],
      [9999, 'UNKNOWN'],
    ]
    for (const [errno, code] of table) expect(codeForErrno(errno), `errno ${errno}`).toBe(code)
  })

  it('formats the message with errno and sqlstate once, truncating long SQL', () => {
    const e = sqlError(1062, '23000', "Duplicate entry 'x' for key 'email'", {
      database: 'app',
      user: 'u',
      sql: `insert ${'x'.repeat(10_000)}`,
    })
    expect(e.code).toBe('ALREADY_EXISTS')
    expect(e.message).toMatch(
      /code = AlreadyExists desc = Duplicate entry 'x' for key 'email' \(errno 1062\) \(sqlstate 23000\)/
    )
    expect(e.message.length).toBeLessThan(1000)
  })

  it('classifies statements', () => {
    expect(isNoop('SET @@boost_cached_queries = true')).toBe(true)
    expect(isNoop('  use @replica')).toBe(true)
    expect(isNoop('use mydb')).toBe(false)
    expect(isStateful('/* c */ SET @x = 1')).toBe(true)
    expect(isStateful('select get_lock("a", 1)')).toBe(true)
    expect(isStateful('create temporary table t (a int)')).toBe(true)
    expect(isStateful('select 1')).toBe(false)
    expect(isStateful("insert into t values ('a := b', 'get_lock(1)', 'it''s into @x')")).toBe(
      false
    )
    expect(isStateful('select "x" /* := */ -- get_lock(\n')).toBe(false)
    expect(isStateful("select 'a' into @v")).toBe(true)
    expect(isPlainRollback('ROLLBACK')).toBe(true)
    expect(isPlainRollback('rollback to savepoint a')).toBe(false)
  })

  it('accepts Basic credentials percent-encoded as the driver sends them', () => {
    const auth = new Authenticator({ 'u@x': { password: 'p@ss:w/rd', database: 'db' } })
    const header = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`
    expect(auth.check(header('u%40x:p%40ss%3Aw%2Frd'))?.username).toBe('u@x')
    expect(auth.check(header('u@x:p@ss:w/rd'))?.database).toBe('db')
    expect(auth.check(header('u@x:wrong'))).toBeNull()
    expect(auth.check(header('u@x:'))).toBeNull()
    expect(auth.check('Bearer abc')).toBeNull()
    expect(auth.check(undefined)).toBeNull()
  })
})
