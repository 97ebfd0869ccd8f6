// HTTP surface: authentication, malformed input, limits, stats, MySQL outages and shutdown.
import {
  type AddressInfo,
  createServer,
  connect as netConnect,
  type Server,
  type Socket,
} from 'node:net'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { Client, connect } from '@planetscale/database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlanetScaleGateway } from '../src/gateway.ts'
import { caught, MYSQL_URL, unique } from './helpers.ts'

const DATABASE = 'gw_ps_test'
const USER = 'ps_http'
const PASSWORD = 'http-secret'
const MAX_BODY = 64 * 1024
const MAX_RESULT = 256 * 1024

let gateway: RunningGateway
let base: string
let url: string
let client: Client

beforeAll(async () => {
  gateway = await startPlanetScaleGateway({
    mysqlUrl: MYSQL_URL,
    users: {
      [USER]: { password: PASSWORD, database: DATABASE },
      'odd@user': { password: 'p@ss:w/rd %', database: DATABASE },
      // computed: an own property named __proto__, not the prototype
      ['__proto__']: { password: 'proto-secret', database: DATABASE },
    },
    maxBodyBytes: MAX_BODY,
    maxResultBytes: MAX_RESULT,
  })
  base = gateway.url
  url = `http://${USER}:${PASSWORD}@127.0.0.1:${gateway.port}`
  client = new Client({ url })
})
afterAll(() => gateway?.close())

/** n rows on MariaDB and MySQL 8 alike (no sequence engine). */
const rowsOf = (n: number, expr: string) =>
  `WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${n}) SELECT ${expr} FROM s`
const AUTH = `Basic ${btoa(`${USER}:${PASSWORD}`)}`
const EXECUTE = '/psdb.v1alpha1.Database/Execute'

async function raw(path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, init)
  const text = await res.text()
  let json: Record<string, unknown> | undefined
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, type: res.headers.get('content-type'), text, json }
}

function expectConnectError(
  res: Awaited<ReturnType<typeof raw>>,
  status: number,
  code: string,
  context: string
) {
  expect(res.status, `${context}: ${res.text}`).toBe(status)
  expect(res.type, context).toMatch(/^application\/json/)
  expect(res.json?.code, context).toBe(code)
  expect(typeof res.json?.message, context).toBe('string')
  expect(res.json?.error, context).toEqual({ code, message: res.json?.message })
}

async function stillServes() {
  const res = await client.execute('SELECT 1 AS one')
  expect(res.rows, 'the gateway still answers').toEqual([{ one: '1' }])
}

describe('authentication', () => {
  it('a wrong password makes the driver throw a DatabaseError with status 401', async () => {
    const bad = new Client({ url: `http://${USER}:wrong@127.0.0.1:${gateway.port}` })
    const err = await caught(bad.execute('SELECT 1'))
    expect(err.name).toBe('DatabaseError')
    expect(err.status).toBe(401)
    expect(err.body.code).toBe('unauthenticated')
  })

  it('missing or malformed credentials get a Connect 401 with an error key', async () => {
    const body = JSON.stringify({ query: 'SELECT 1', session: null })
    const headers = { 'content-type': 'application/json' }
    const none = await raw(EXECUTE, { method: 'POST', headers, body })
    expectConnectError(none, 401, 'unauthenticated', 'no Authorization')
    for (const authorization of ['Basic !!!', 'Bearer x', `Basic ${btoa(`${USER}:`)}`]) {
      const res = await raw(EXECUTE, {
        method: 'POST',
        headers: { ...headers, authorization },
        body,
      })
      expectConnectError(res, 401, 'unauthenticated', authorization)
    }
  })

  it('compares the percent-encoded credentials the driver sends', async () => {
    const odd = new Client({
      url: `http://${encodeURIComponent('odd@user')}:${encodeURIComponent('p@ss:w/rd %')}@127.0.0.1:${gateway.port}`,
    })
    expect((await odd.execute('SELECT 1 AS one')).rows).toEqual([{ one: '1' }])
  })
})

describe('malformed requests', () => {
  it('malformed JSON is a JSON 400', async () => {
    const res = await raw(EXECUTE, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: '{"query": "SELECT 1", ',
    })
    expectConnectError(res, 400, 'invalid_argument', 'truncated JSON')
  })

  it('a wrong content type is a JSON 415', async () => {
    const res = await raw(EXECUTE, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: AUTH },
      body: JSON.stringify({ query: 'SELECT 1', session: null }),
    })
    expectConnectError(res, 415, 'invalid_argument', 'text/plain')
  })

  it('garbage bodies get JSON 4xx answers and the gateway keeps serving', async () => {
    const bodies = [
      '',
      'null',
      '[]',
      '"SELECT 1"',
      '42',
      '{}',
      '{"query": 5}',
      '{"query": null}',
      '{"query": "SELECT 1", "session": "abc"}',
      '{"query": "SELECT 1", "session": [1]}',
      '\u0000\u0001\u0002',
      '{"query": "\\ud800"',
    ]
    for (const body of bodies) {
      const res = await raw(EXECUTE, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: AUTH },
        body,
      })
      expectConnectError(res, 400, 'invalid_argument', `body ${JSON.stringify(body)}`)
    }
    const invalidUtf8 = await raw(EXECUTE, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    })
    expect(invalidUtf8.status).toBe(400)
    await stillServes()
  })

  it('sessions the gateway never issued are ignored, not trusted', async () => {
    const sessions = [
      {},
      { vitessSession: null },
      { vitessSession: { SessionUUID: '../../etc' } },
      { signature: 5, vitessSession: { SessionUUID: 'abc', inTransaction: 'yes' } },
    ]
    for (const session of sessions) {
      const res = await raw(EXECUTE, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: AUTH },
        body: JSON.stringify({ query: 'SELECT 1 AS one', session }),
      })
      expect(res.status, JSON.stringify(session)).toBe(200)
      expect(res.json?.result, JSON.stringify(session)).toBeDefined()
      const issued = (res.json?.session as { vitessSession?: { SessionUUID?: string } } | undefined)
        ?.vitessSession?.SessionUUID
      expect(issued, 'a session of its own').toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('an oversized body is a JSON 413', async () => {
    const res = await raw(EXECUTE, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: JSON.stringify({ query: `SELECT '${'x'.repeat(MAX_BODY)}'`, session: null }),
    })
    expectConnectError(res, 413, 'resource_exhausted', 'oversized body')
    await stillServes()
  })

  it('wrong method, unknown path and unimplemented procedures are JSON errors', async () => {
    const get = await raw(EXECUTE, { headers: { authorization: AUTH } })
    expectConnectError(get, 405, 'invalid_argument', 'GET')
    const unknown = await raw('/nope', { method: 'POST', headers: { authorization: AUTH } })
    expectConnectError(unknown, 404, 'not_found', 'unknown path')
    const stream = await raw('/psdb.v1alpha1.Database/StreamExecute', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: '{}',
    })
    expectConnectError(stream, 501, 'unimplemented', 'StreamExecute')
  })

  it('malformed HTTP gets a JSON 400 on the socket', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = netConnect(gateway.port, '127.0.0.1', () => {
        socket.write('THIS IS NOT HTTP\r\n\r\n')
      })
      let data = ''
      socket.on('data', (chunk) => {
        data += chunk.toString()
      })
      socket.on('end', () => resolve(data))
      socket.on('error', reject)
    })
    expect(reply).toMatch(/^HTTP\/1\.1 400/)
    const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4))
    expect(body.error?.code).toBe('invalid_argument')
    await stillServes()
  })
})

describe('result limits', () => {
  it('an oversized result is an error, never a truncated result', async () => {
    const err = await caught(client.execute(rowsOf(1000, "REPEAT('x', 1024) AS s")))
    expect(err.body.code).toBe('RESOURCE_EXHAUSTED')
    expect(err.message).toMatch(/exceeds the gateway limit/)
    const fits = await client.execute(rowsOf(100, "REPEAT('x', 1024) AS s"))
    expect(fits.size).toBe(100)
  })

  it('inside a transaction the session survives an oversized result', async () => {
    const t = unique('lim')
    await client.execute(`CREATE TABLE ${t} (id INT PRIMARY KEY)`)
    await client.transaction(async (tx) => {
      await tx.execute(`INSERT INTO ${t} VALUES (1)`)
      const err = await caught(tx.execute(rowsOf(1000, "REPEAT('y', 1024)")))
      expect(err.body.code).toBe('RESOURCE_EXHAUSTED')
      await tx.execute(`INSERT INTO ${t} VALUES (2)`)
    })
    const rows = await client.execute(`SELECT id FROM ${t} ORDER BY id`)
    expect(rows.rows).toEqual([{ id: 1 }, { id: 2 }])
  })
})

describe('sessions over HTTP', () => {
  it('CreateSession answers with branch, user and a session the driver can use', async () => {
    const res = await raw('/psdb.v1alpha1.Database/CreateSession', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: '{}',
    })
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ branch: DATABASE, user: { username: USER } })
    const conn = connect({ url })
    await conn.refresh()
    expect((await conn.execute('SELECT 3 AS three')).rows).toEqual([{ three: '3' }])
  })

  it('returns the session and timing on error responses too', async () => {
    const res = await raw(EXECUTE, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: JSON.stringify({ query: 'selec 1', session: null }),
    })
    expect(res.status).toBe(200)
    expect(res.json?.session, 'session on an error response').toBeTruthy()
    expect(typeof res.json?.timing).toBe('number')
    expect(res.json?.error).toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})

describe('stats', () => {
  it('counts answered requests per user, readable through GET /__stats', async () => {
    const before = gateway.stats().requests[USER] ?? 0
    await client.execute('SELECT 1')
    await client.execute('selec 1').catch(() => {})
    expect(gateway.stats().requests[USER]).toBe(before + 2)
    const res = await raw('/__stats', { headers: { authorization: AUTH } })
    expect(res.json).toMatchObject({ requests: before + 2 })
    expect(res.json?.recent, 'one [start, end] per request').toHaveLength(
      Math.min(before + 2, 1000)
    )
    const denied = await raw('/__stats', { headers: { authorization: `Basic ${btoa('x:y')}` } })
    expect(denied.status).toBe(401)
    const unauthenticatedBefore = gateway.stats().requests[''] ?? 0
    await raw(EXECUTE, { method: 'POST', body: '{}' })
    expect(gateway.stats().requests['']).toBe(unauthenticatedBefore + 1)
  })

  it('counts a user named like an Object property as any other', async () => {
    const proto = new Client({ url: `http://__proto__:proto-secret@127.0.0.1:${gateway.port}` })
    await proto.execute('SELECT 1')
    expect(Object.getOwnPropertyDescriptor(gateway.stats().requests, '__proto__')?.value).toBe(1)
    const res = await raw('/__stats', {
      headers: { authorization: `Basic ${btoa('__proto__:proto-secret')}` },
    })
    expect(res.json).toMatchObject({
      requests: 1,
      recent: [[expect.any(Number), expect.any(Number)]],
    })
  })
})

/** A TCP proxy in front of MySQL that can be cut and restored, to simulate an outage. */
async function mysqlProxy() {
  const target = new URL(MYSQL_URL)
  const sockets = new Set<Socket>()
  let server: Server | null = null
  let port = 0
  const start = () =>
    new Promise<void>((resolve) => {
      const listener = createServer((downstream) => {
        const upstream = netConnect(Number(target.port || 3306), target.hostname)
        const close = () => {
          downstream.destroy()
          upstream.destroy()
          sockets.delete(downstream)
          sockets.delete(upstream)
        }
        sockets.add(downstream).add(upstream)
        downstream.pipe(upstream).pipe(downstream)
        for (const s of [downstream, upstream]) s.on('error', close).on('close', close)
      })
      server = listener
      listener.listen(port, '127.0.0.1', () => {
        port = (listener.address() as AddressInfo).port
        resolve()
      })
    })
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      sockets.clear()
      server?.close(() => resolve())
    })
  await start()
  return { port: () => port, start, stop }
}

describe('MySQL outages', () => {
  it('answers 503 JSON while MySQL is down and recovers when it is back', async () => {
    const proxy = await mysqlProxy()
    const gw = await startPlanetScaleGateway({
      mysqlUrl: `mysql://root@127.0.0.1:${proxy.port()}`,
      users: { ps_outage: { password: 'o', database: DATABASE } },
      poolSize: 2,
    })
    try {
      const c = new Client({ url: `http://ps_outage:o@127.0.0.1:${gw.port}` })
      expect((await c.execute('SELECT 1 AS one')).rows).toEqual([{ one: '1' }])
      await proxy.stop()
      const down = await caught(c.execute('SELECT 1 AS one'))
      expect(down.status, down.message).toBe(503)
      expect(down.body.code).toBe('unavailable')
      await proxy.start()
      expect((await c.execute('SELECT 2 AS two')).rows, 'recovered').toEqual([{ two: '2' }])
    } finally {
      await gw.close()
      await proxy.stop()
    }
  })
})

describe('close()', () => {
  it('lets in-flight requests finish, then refuses connections and frees MySQL', async () => {
    const gw = await startPlanetScaleGateway({
      mysqlUrl: MYSQL_URL,
      users: { ps_close: { password: 'c', database: DATABASE } },
    })
    const c = new Client({ url: `http://ps_close:c@127.0.0.1:${gw.port}` })
    const pinned = connect({ url: `http://ps_close:c@127.0.0.1:${gw.port}` })
    await pinned.execute('BEGIN')
    const slow = c.execute('SELECT SLEEP(0.3) AS s')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const closing = gw.close()
    expect((await slow).rows, 'in-flight request completed').toEqual([{ s: '0' }])
    await closing
    await expect(fetch(`${gw.url}${EXECUTE}`, { method: 'POST' })).rejects.toThrow()
  })
})
