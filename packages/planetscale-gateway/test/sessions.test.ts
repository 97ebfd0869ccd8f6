// Session pinning, the idle reaper, exclusive use of a session and connection hygiene.

import { setTimeout as sleep } from 'node:timers/promises'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { Client, connect, type DatabaseError } from '@planetscale/database'
import { createConnection } from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlanetScaleGateway } from '../src/gateway.ts'
import { caught, createTable, MYSQL_URL } from './helpers.ts'

// a database of its own, so its connections can be counted in the processlist
const DATABASE = 'gw_ps_sessions'
const IDLE_MS = 400
const POOL_SIZE = 4

let gateway: RunningGateway
let url: string
let client: Client

beforeAll(async () => {
  gateway = await startPlanetScaleGateway({
    mysqlUrl: MYSQL_URL,
    users: {
      ps_sess: { password: 'sess-secret', database: DATABASE },
      ps_other: { password: 'other-secret', database: DATABASE },
    },
    transactionIdleMs: IDLE_MS,
    sessionIdleMs: IDLE_MS,
    poolSize: POOL_SIZE,
  })
  url = `http://ps_sess:sess-secret@127.0.0.1:${gateway.port}`
  client = new Client({ url })
})
afterAll(() => gateway?.close())

async function mysqlConnectionsTo(database: string): Promise<number> {
  const admin = await createConnection(MYSQL_URL)
  try {
    const [rows] = await admin.query(
      'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?',
      [database]
    )
    return Number((rows as { n: number }[])[0]?.n)
  } finally {
    await admin.end()
  }
}

interface Wire {
  session: { signature: string; vitessSession: { SessionUUID: string; lastInsertId?: string } }
  result?: { rows?: { lengths: string[]; values?: string }[] }
  error?: { code: string; message: string }
}

async function post(body: unknown, auth = 'ps_sess:sess-secret') {
  const res = await fetch(`http://127.0.0.1:${gateway.port}/psdb.v1alpha1.Database/Execute`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${btoa(auth)}`,
    },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Wire }
}

describe('idle transaction reaper', () => {
  it('makes the next call fail with ABORTED, commits nothing, and clears on ROLLBACK', async () => {
    const t = await createTable(client, 'reap', 'id INT PRIMARY KEY')
    const conn = connect({ url })
    await conn.execute('BEGIN')
    await conn.execute(`INSERT INTO ${t} VALUES (1)`)
    await sleep(IDLE_MS * 3)

    const next = await caught(conn.execute(`INSERT INTO ${t} VALUES (2)`))
    expect(next.body.code, next.message).toBe('ABORTED')
    expect(next.message).toMatch(/transaction .* ended/)
    const commit = await caught(conn.execute('COMMIT'))
    expect(commit.body.code, 'COMMIT must not silently succeed').toBe('ABORTED')

    const rows = await client.execute(`SELECT id FROM ${t}`)
    expect(rows.rows, 'nothing of the reaped transaction may be committed').toEqual([])

    await conn.execute('ROLLBACK')
    const again = await conn.execute(`INSERT INTO ${t} VALUES (3)`)
    expect(again.rowsAffected, 'session usable after ROLLBACK').toBe(1)
  })

  it('through transaction(): the statement after the pause throws ABORTED', async () => {
    const t = await createTable(client, 'reaptx', 'id INT PRIMARY KEY')
    const err = await caught(
      client.transaction(async (tx) => {
        await tx.execute(`INSERT INTO ${t} VALUES (1)`)
        await sleep(IDLE_MS * 3)
        await tx.execute(`INSERT INTO ${t} VALUES (2)`)
      })
    )
    expect(err.body.code).toBe('ABORTED')
    expect((await client.execute(`SELECT id FROM ${t}`)).rows).toEqual([])
  })

  it('a reaped connect() session with state fails once, then works again', async () => {
    const conn = connect({ url })
    await conn.execute('SET @kept = 1')
    await sleep(IDLE_MS * 3)
    const err = await caught(conn.execute('SELECT @kept AS kept'))
    expect(err.body.code).toBe('ABORTED')
    expect(err.message).toMatch(/expired/)
    const after = await conn.execute('SELECT 1 AS one')
    expect(after.rows).toEqual([{ one: '1' }])
  })
})

describe('exclusive sessions', () => {
  it('refuses a concurrent statement on a session in use, without interleaving', async () => {
    const t = await createTable(client, 'busy', 'id INT PRIMARY KEY')
    const settled = await client
      .transaction(async (tx) => {
        const results = await Promise.allSettled([
          tx.execute(`INSERT INTO ${t} SELECT 1 FROM (SELECT SLEEP(0.3)) AS s`),
          (async () => {
            await sleep(50)
            return tx.execute(`INSERT INTO ${t} VALUES (2)`)
          })(),
        ])
        return results
      })
      .catch((err: unknown) => err)
    expect(Array.isArray(settled), String(settled)).toBe(true)
    const [slow, fast] = settled as PromiseSettledResult<unknown>[]
    expect(slow?.status, 'the first statement runs').toBe('fulfilled')
    expect(fast?.status, 'the concurrent statement is refused').toBe('rejected')
    const reason = (fast as PromiseRejectedResult).reason as DatabaseError
    expect(reason.body.code).toBe('ABORTED')
    expect(reason.message).toMatch(/in use/)
    const rows = await client.execute(`SELECT id FROM ${t} ORDER BY id`)
    expect(rows.rows, 'the transaction committed only the first statement').toEqual([{ id: 1 }])
  })
})

describe('deadlock', () => {
  it('aborts the victim transaction: later statements fail until ROLLBACK', async () => {
    const t = await createTable(client, 'dl', 'id INT PRIMARY KEY, v INT')
    await client.execute(`INSERT INTO ${t} VALUES (1, 0), (2, 0)`)
    const a = connect({ url })
    const b = connect({ url })
    await a.execute('BEGIN')
    await b.execute('BEGIN')
    await a.execute(`UPDATE ${t} SET v = 1 WHERE id = 1`)
    await b.execute(`UPDATE ${t} SET v = 2 WHERE id = 2`)
    const aWaits = a.execute(`UPDATE ${t} SET v = 1 WHERE id = 2`)
    await sleep(100)
    const victim = await caught(b.execute(`UPDATE ${t} SET v = 2 WHERE id = 1`))
    expect(victim.body.code).toBe('ABORTED')
    expect(victim.message).toMatch(/\(errno 1213\)/)
    await aWaits
    await a.execute('COMMIT')

    const after = await caught(b.execute('SELECT 1'))
    expect(after.body.code, 'no silent autocommit after a deadlock').toBe('ABORTED')
    await b.execute('ROLLBACK')
    expect((await b.execute('SELECT 2 AS two')).rows).toEqual([{ two: '2' }])
    const rows = await client.execute(`SELECT id, v FROM ${t} ORDER BY id`)
    expect(rows.rows).toEqual([
      { id: 1, v: 1 },
      { id: 2, v: 1 },
    ])
  })
})

describe('session integrity', () => {
  it('a session issued to one user is refused for another, loudly and without its state', async () => {
    const first = await post({ query: 'SET @secret = 42', session: null })
    expect(first.status).toBe(200)
    const stolen = await post(
      { query: 'SELECT @secret AS s', session: first.json.session },
      'ps_other:other-secret'
    )
    expect(stolen.status).toBe(200)
    expect(stolen.json.result, 'no result from the pinned connection').toBeUndefined()
    expect(stolen.json.error?.code, JSON.stringify(stolen.json)).toBe('ABORTED')
    const owner = await post({ query: 'SELECT @secret AS s', session: first.json.session })
    expect(owner.json.result?.rows?.[0], 'the owner still reaches it').toEqual({
      lengths: ['2'],
      values: btoa('42'),
    })
  })

  it('a tampered session does not reach the pinned connection', async () => {
    const first = await post({ query: 'SET @mine = 7', session: null })
    const forged = structuredClone(first.json.session)
    forged.vitessSession.lastInsertId = '99'
    const res = await post({ query: 'SELECT @mine AS m', session: forged })
    expect(res.status).toBe(200)
    expect(res.json.result, JSON.stringify(res.json)).toBeUndefined()
    expect(res.json.error?.code).toBe('ABORTED')
    const next = await post({ query: 'SELECT @mine AS m', session: res.json.session })
    expect(next.json.result?.rows?.[0]?.lengths, 'a fresh session, without the state').toEqual([
      '-1',
    ])
  })

  it('a tampered stateless session is simply replaced by a new one', async () => {
    const first = await post({ query: 'SELECT 1', session: null })
    const forged = structuredClone(first.json.session)
    forged.signature = btoa('not the signature')
    const res = await post({ query: 'SELECT 2 AS two', session: forged })
    expect(res.json.result?.rows, JSON.stringify(res.json)).toEqual([
      { lengths: ['1'], values: btoa('2') },
    ])
    expect(res.json.session.vitessSession.SessionUUID).not.toBe(
      first.json.session.vitessSession.SessionUUID
    )
  })
})

describe('connection hygiene', () => {
  it('returns connections to the pool after transactions, errors and state; none leak', async () => {
    const t = await createTable(client, 'leak', 'id INT PRIMARY KEY')
    for (let i = 0; i < 20; i++) {
      await client.transaction(async (tx) => {
        await tx.execute(`INSERT INTO ${t} VALUES (?)`, [i])
      })
      await client
        .transaction(async (tx) => {
          await tx.execute(`INSERT INTO ${t} VALUES (?)`, [1000 + i])
          await tx.execute(`INSERT INTO ${t} VALUES (?)`, [1000 + i])
        })
        .catch(() => {})
      await client.execute('selec 1').catch(() => {})
    }
    await Promise.all(Array.from({ length: 30 }, () => client.execute('SELECT SLEEP(0.01)')))
    const open = await mysqlConnectionsTo(DATABASE)
    expect(open, 'connections to the database').toBeLessThanOrEqual(POOL_SIZE + 2)
    expect((await client.execute(`SELECT COUNT(*) AS n FROM ${t}`)).rows).toEqual([{ n: '20' }])
  })

  it('does not pin a connection for values that only look stateful (":=", "get_lock(")', async () => {
    const t = await createTable(client, 'lookalike', 'id INT PRIMARY KEY, body TEXT')
    for (let i = 0; i < 3 * POOL_SIZE; i++) {
      // one connect() per call, as the app does: a pinned session would never be used again
      await connect({ url }).execute(`INSERT INTO ${t} VALUES (?, ?)`, [
        i,
        `a := b; SELECT get_lock('x', 1) INTO @y -- #${i}`,
      ])
    }
    expect(await mysqlConnectionsTo(DATABASE), 'connections').toBeLessThanOrEqual(POOL_SIZE + 2)
  })
})

describe('a full session registry', () => {
  let small: RunningGateway
  let smallUrl: string
  beforeAll(async () => {
    small = await startPlanetScaleGateway({
      mysqlUrl: MYSQL_URL,
      users: { ps_sess: { password: 'sess-secret', database: DATABASE } },
      maxSessions: 1,
    })
    smallUrl = `http://ps_sess:sess-secret@127.0.0.1:${small.port}`
  })
  afterAll(() => small?.close())

  it('answers an autocommit statement it cannot pin, and refuses a transaction', async () => {
    const t = await createTable(client, 'full', 'id INT PRIMARY KEY')
    const holder = connect({ url: smallUrl })
    await holder.execute('BEGIN')
    // Stateful (a user variable), already committed when the gateway finds no room to pin it.
    await connect({ url: smallUrl }).execute(`INSERT INTO ${t} VALUES (@n := 7)`)
    expect((await client.execute(`SELECT id FROM ${t}`)).rows).toEqual([{ id: 7 }])
    const refused = await caught(connect({ url: smallUrl }).execute('BEGIN'))
    expect(refused.message).toMatch(/too many open sessions/)
    await holder.execute('ROLLBACK')
  })
})
