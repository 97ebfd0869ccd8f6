// Issue #5.4 for the gateways: property-based hostile input (fast-check) over every endpoint of
// both, through fetch and through raw sockets. No 5xx, no stack trace, JSON answers, nothing
// stored by a request that was refused, and the gateway keeps serving.
import { randomBytes, randomUUID } from 'node:crypto'
import { connect as netConnect } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningGateway } from '../../scripts/lib/gateway.ts'
import { startPlanetScaleGateway } from '../../scripts/planetscale/gateway.ts'
import { startUpstashGateway } from '../../scripts/upstash/gateway.ts'
import { MYSQL_URL, REDIS_URL } from './backends.ts'

/** Redis logical database and MySQL schema of this file only. */
const REDIS_DB = 12
const DATABASE = 'gw_hostile_test'
const TOKEN = `hostile-${randomUUID()}`
const USER = 'hostile'
const PASSWORD = randomBytes(12).toString('hex')
const MAX_BODY = 64 * 1024
const RUNS = Number(process.env.HOSTILE_RUNS ?? 1000)
/** Every refused request carries a write of this key or row; none may ever exist. */
const CANARY = `canary-${randomUUID()}`
const STACK = /\bat \S+ \(|\.ts:\d|node_modules|\n\s+at /

let upstash: RunningGateway
let planetscale: RunningGateway
let tried = 0
const answered = new Map<string, number>()

beforeAll(async () => {
  upstash = await startUpstashGateway({
    redisUrl: REDIS_URL,
    tokens: { [TOKEN]: REDIS_DB },
    maxBodyBytes: MAX_BODY,
  })
  planetscale = await startPlanetScaleGateway({
    mysqlUrl: MYSQL_URL,
    users: { [USER]: { password: PASSWORD, database: DATABASE } },
    maxBodyBytes: MAX_BODY,
  })
  await sql(`CREATE TABLE IF NOT EXISTS canary (tag VARCHAR(100) NOT NULL)`)
})

afterAll(async () => {
  await redis(['del', CANARY]).catch(() => undefined)
  await Promise.all([upstash?.close(), planetscale?.close()])
  console.log(
    JSON.stringify({ hostileGatewayRequests: tried, answers: Object.fromEntries(answered) })
  )
})

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

async function redis(command: unknown[]): Promise<unknown> {
  const res = await fetch(`${upstash.url}/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(command),
  })
  const body = (await res.json()) as { result?: unknown; error?: string }
  if (!res.ok) throw new Error(`redis ${JSON.stringify(command)}: ${res.status} ${body.error}`)
  return body.result
}

async function sql(query: string): Promise<{ rows?: unknown[]; error?: unknown }> {
  const res = await fetch(`${planetscale.url}/psdb.v1alpha1.Database/Execute`, {
    method: 'POST',
    headers: { authorization: basic(USER, PASSWORD), 'content-type': 'application/json' },
    body: JSON.stringify({ query, session: null }),
  })
  const body = (await res.json()) as { result?: { rows?: unknown[] }; error?: unknown }
  if (!res.ok || body.error) throw new Error(`sql ${query}: ${res.status} ${JSON.stringify(body)}`)
  return { rows: body.result?.rows ?? [] }
}

// ---- shared arbitraries ---------------------------------------------------------------------

/** Mostly well-formed (so most requests get as far as Redis or MySQL), sometimes anything. */
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: odd })

const method = mostly(
  fc.constant('POST'),
  fc.constantFrom('PUT', 'GET', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD')
)
const auth = mostly(fc.constant('valid'), fc.constantFrom('wrong', 'none', 'garbage'))

/** Header-safe text: printable ASCII and Latin-1, no CR, LF or NUL. */
const headerText = (maxLength: number) =>
  fc
    .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })), {
      maxLength,
    })
    .map((codes) => Buffer.from(codes).toString('latin1').trim())

const deepJson = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) =>
    open === '['
      ? `${'['.repeat(depth)}${']'.repeat(depth)}`
      : `${open.repeat(depth)}1${'}'.repeat(depth)}`
  )

/** `oversized` writes the canary too: a body over the limit must be refused unread. */
const bodyOf = (valid: fc.Arbitrary<string>, oversized: string) =>
  fc.oneof(
    { weight: 14, arbitrary: valid.map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)) },
    // Lone surrogates become U+FFFD in UTF-8; raw bytes are mostly invalid UTF-8.
    {
      weight: 1,
      arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((t) => Buffer.from(t)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: deepJson.map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: fc.constant(Buffer.from(oversized)) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) }
  )

interface HostileRequest {
  method: string
  path: string
  headers: Record<string, string>
  body: Buffer
}

async function send(base: string, request: HostileRequest) {
  tried++
  const withBody = request.method !== 'GET' && request.method !== 'HEAD'
  const res = await fetch(`${base}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: withBody ? new Uint8Array(request.body) : undefined,
  })
  const text = await res.text()
  const label = `${base === upstash.url ? 'upstash' : 'planetscale'} ${res.status}`
  answered.set(label, (answered.get(label) ?? 0) + 1)
  const context = `${request.method} ${request.path} ${JSON.stringify(request.headers).slice(0, 200)} ${request.body.toString('latin1').slice(0, 200)} -> ${res.status} ${text.slice(0, 300)}`
  // The one documented 5xx: procedures the gateway does not implement (Connect "unimplemented").
  const unimplemented = res.status === 501 && /\/(StreamExecute|Prepare)$/.test(request.path)
  if (!unimplemented) expect(res.status, context).toBeLessThan(500)
  expect(text, context).not.toMatch(STACK)
  if (request.method !== 'HEAD') {
    expect(res.headers.get('content-type'), context).toMatch(/^application\/json/)
    expect(() => JSON.parse(text), context).not.toThrow()
  }
  return { status: res.status, text }
}

// ---- Upstash --------------------------------------------------------------------------------

const key = fc.oneof(
  fc.constantFrom('hostile:a', 'hostile:b', 'hostile:list', 'hostile:hash'),
  fc.string({ maxLength: 20 }).map((s) => `hostile:${s}`)
)
const arg = mostly<unknown>(
  fc.oneof(key, fc.string({ unit: 'binary', maxLength: 50 }), fc.integer()),
  fc.oneof(
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 })
  )
)
/** Harmless commands, commands the gateway refuses, and made-up ones. */
const commandName = fc.oneof(
  fc.constantFrom(
    'get',
    'set',
    'del',
    'incr',
    'getex',
    'expire',
    'ttl',
    'hset',
    'hgetall',
    'lpush',
    'lrange',
    'sadd',
    'smembers',
    'mget',
    'ping',
    'echo',
    'eval',
    'evalsha',
    'scan',
    'exists',
    'zadd',
    'SET',
    'GeT'
  ),
  fc.constantFrom(
    'subscribe',
    'monitor',
    'select',
    'multi',
    'blpop',
    'client',
    'shutdown',
    'debug'
  ),
  fc.stringMatching(/^[a-z]{1,12}$/).filter((name) => !/^(flush|shutdown|debug|config)/.test(name)),
  fc.string({ maxLength: 10 })
)
/** eval gets a script from this list only: made-up Lua could call anything. */
const evalCommand = fc.tuple(
  fc.constantFrom("return redis.call('PING')", 'return 1', 'return {1,2,3}', 'error', 'return nil'),
  fc.integer({ min: -1, max: 3 }),
  fc.array(arg, { maxLength: 3 })
)
const text = fc.string({ unit: 'binary', maxLength: 50 })
/** Commands with the right shape; Redis may still refuse them (WRONGTYPE, ranges). */
const wellFormed = fc.oneof(
  fc.tuple(fc.constant('set'), key, fc.oneof(text, fc.integer())),
  fc.tuple(fc.constant('get'), key),
  fc.tuple(fc.constant('incr'), key),
  fc.tuple(fc.constant('del'), key),
  fc.tuple(fc.constant('hset'), key, text, text),
  fc.tuple(fc.constant('hgetall'), key),
  fc.tuple(fc.constant('lpush'), key, text),
  fc.tuple(fc.constant('lrange'), key, fc.integer(), fc.integer()),
  fc.tuple(fc.constant('sadd'), key, text),
  fc.tuple(fc.constant('getex'), key, fc.constant('ex'), fc.integer({ min: -5, max: 100 })),
  fc.tuple(fc.constant('echo'), text),
  fc.tuple(fc.constant('ping'))
)
const command = fc.oneof(
  { weight: 6, arbitrary: wellFormed.map((c) => [...c] as unknown[]) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(commandName, fc.array(arg, { maxLength: 6 }))
      .map(([name, args]) => (name.toLowerCase() === 'eval' ? ['ping'] : [name, ...args])),
  },
  { weight: 1, arbitrary: evalCommand.map(([script, n, rest]) => ['eval', script, n, ...rest]) },
  { weight: 1, arbitrary: fc.oneof(fc.constant([]), fc.array(arg, { maxLength: 3 })) }
)
const upstashBody = (path: string) =>
  path === '/'
    ? command.map((c) => JSON.stringify(c))
    : mostly(fc.array(command, { minLength: 1, maxLength: 5 }), fc.constant<unknown[][]>([])).map(
        (c) => JSON.stringify(c)
      )

const upstashRequest: fc.Arbitrary<HostileRequest> = fc
  .record({
    method,
    path: mostly(
      fc.constantFrom('/', '/', '/pipeline', '/pipeline', '/multi-exec', '/multi-exec', '/__stats'),
      fc.oneof(
        fc.webPath(),
        fc.constantFrom('/%ff', '/pipeline?_token=', `/?_token=${TOKEN}x`, '/../../etc/passwd')
      )
    ),
    auth,
    garbageAuth: headerText(300),
    encoding: fc.option(fc.constantFrom('base64', 'BASE64', 'gzip'), { nil: undefined }),
    contentType: fc.option(
      fc.oneof(
        fc.constantFrom('application/json', 'text/plain', 'multipart/form-data'),
        headerText(40)
      ),
      { nil: undefined }
    ),
    extra: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,10}$/), headerText(2000), { maxKeys: 3 }),
  })
  .chain((r) =>
    bodyOf(upstashBody(r.path), JSON.stringify(['set', CANARY, 'x'.repeat(MAX_BODY)])).map(
      (body): HostileRequest => {
        const headers: Record<string, string> = { ...r.extra }
        if (r.auth === 'valid') headers.authorization = `Bearer ${TOKEN}`
        if (r.auth === 'wrong') headers.authorization = `Bearer ${TOKEN}-wrong`
        if (r.auth === 'garbage') headers.authorization = r.garbageAuth
        if (r.encoding) headers['upstash-encoding'] = r.encoding
        if (r.contentType) headers['content-type'] = r.contentType
        // A refused request tries to write the canary.
        const refusedBody =
          r.path === '/'
            ? JSON.stringify(['set', CANARY, 'x'])
            : JSON.stringify([['set', CANARY, 'x']])
        return {
          method: r.method,
          path: r.path,
          headers,
          body: r.auth === 'valid' ? body : Buffer.from(refusedBody),
        }
      }
    )
  )

describe('Upstash gateway under hostile input', () => {
  it(`answers ${RUNS} random requests with JSON below 500 and keeps serving`, async () => {
    await fc.assert(
      fc.asyncProperty(upstashRequest, async (request) => {
        await send(upstash.url, request)
      }),
      { numRuns: RUNS }
    )
    expect(await redis(['ping'])).toBe('PONG')
    expect(await redis(['exists', CANARY]), 'a refused request wrote').toBe(0)
  }, 120_000)
})

// ---- PlanetScale ----------------------------------------------------------------------------

const PROCEDURES = [
  ...['Execute', 'Execute', 'Execute', 'Execute', 'CreateSession', 'CloseSession'],
  ...['StreamExecute', 'Prepare'],
]
const query = mostly(
  fc.constantFrom(
    'SELECT 1',
    'select 1 + 1 AS two',
    'SELECT * FROM canary WHERE 1 = 0',
    'SELECT SLEEP(0)',
    'BEGIN',
    'COMMIT',
    'ROLLBACK',
    'SET @x = 1',
    'SELECT @x',
    'SELECT * FROM no_such_table',
    "SELECT '\u0000\uffff'",
    'SELECT'
  ),
  fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 100 }))
)
const session = mostly(
  fc.constant(null),
  fc.oneof(
    fc.constant({}),
    fc.json({ maxDepth: 2 }).map((j) => JSON.parse(j) as unknown),
    fc.record({ signature: fc.string(), vitessSession: fc.string() })
  )
)
const psBody = fc
  .record({ query: mostly<unknown>(query, fc.oneof(fc.integer(), fc.constant(null))), session })
  .map((b) => JSON.stringify(b))

const psRequest: fc.Arbitrary<HostileRequest> = fc
  .record({
    method,
    path: mostly(
      fc.constantFrom(...PROCEDURES).map((p) => `/psdb.v1alpha1.Database/${p}`),
      fc.oneof(
        fc.constantFrom('/__stats', '/', '/psdb.v1alpha1.Database/', '/psdb.v1alpha1.Database/%ff'),
        fc.webPath()
      )
    ),
    auth,
    garbageAuth: headerText(300),
    contentType: mostly(
      fc.constantFrom('application/json', 'application/JSON; charset=utf-8'),
      headerText(40)
    ),
    extra: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,10}$/), headerText(2000), { maxKeys: 3 }),
  })
  .chain((r) =>
    bodyOf(
      psBody,
      JSON.stringify({
        query: `INSERT INTO canary (tag) VALUES ('${CANARY}') -- ${'x'.repeat(MAX_BODY)}`,
      })
    ).map((body): HostileRequest => {
      const headers: Record<string, string> = { ...r.extra, 'content-type': r.contentType }
      if (r.auth === 'valid') headers.authorization = basic(USER, PASSWORD)
      if (r.auth === 'wrong') headers.authorization = basic(USER, `${PASSWORD}x`)
      if (r.auth === 'garbage') headers.authorization = r.garbageAuth
      const refusedBody = JSON.stringify({
        query: `INSERT INTO canary (tag) VALUES ('${CANARY}')`,
        session: null,
      })
      return {
        method: r.method,
        path: r.path,
        headers,
        body: r.auth === 'valid' ? body : Buffer.from(refusedBody),
      }
    })
  )

describe('PlanetScale gateway under hostile input', () => {
  it(`answers ${RUNS} random requests with JSON below 500 and keeps serving`, async () => {
    await fc.assert(
      fc.asyncProperty(psRequest, async (request) => {
        await send(planetscale.url, request)
      }),
      { numRuns: RUNS }
    )
    expect((await sql('SELECT 1 AS one')).rows).toHaveLength(1)
    const { rows } = await sql(`SELECT tag FROM canary WHERE tag = '${CANARY}'`)
    expect(rows, 'a refused request wrote').toEqual([])
  }, 120_000)
})

// ---- raw sockets ----------------------------------------------------------------------------

const rawRequest = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((b) => Buffer.from(b)),
  fc
    .tuple(
      fc.constantFrom('POST', 'GET', 'P\u00d6ST', '', 'POST POST'),
      fc.constantFrom('/', '/pipeline', '/psdb.v1alpha1.Database/Execute', '*', '', 'http://x/'),
      fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'HTTP/1.1 extra', ''),
      fc.array(
        fc.oneof(
          headerText(100).map((t) => `X-A: ${t}`),
          fc.constantFrom(
            'Content-Length: -1',
            'Content-Length: 99999999999999999999',
            'Content-Length: 5\r\nContent-Length: 6',
            'Transfer-Encoding: chunked',
            'Transfer-Encoding: gzip, chunked',
            'Host:',
            ': no name',
            'No-Colon',
            'Bad\u0000Name: x',
            `Authorization: Bearer ${TOKEN}`,
            `X-Huge: ${'h'.repeat(70_000)}`
          )
        ),
        { maxLength: 5 }
      ),
      fc.constantFrom('', '{"a":1}', 'zz\r\n', '5\r\nhello\r\n0\r\n\r\n', '["ping"]')
    )
    .map(([method, target, version, headers, body]) =>
      Buffer.from(
        `${method} ${target} ${version}\r\n${headers.join('\r\n')}\r\n\r\n${body}`,
        'latin1'
      )
    )
)

/** Sends bytes, half-closes, and reads whatever comes back (the gateway may also just close). */
function rawExchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port })
    let received = ''
    socket.setTimeout(3000, () => socket.destroy())
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(received))
    socket.on('connect', () => socket.end(bytes))
  })
}

describe('both gateways on raw sockets', () => {
  it(`survive ${RUNS / 4} garbage and malformed requests each, answering below 500`, async () => {
    const statusLine = /^HTTP\/1\.[01] (\d{3})/
    for (const gateway of [upstash, planetscale]) {
      await fc.assert(
        fc.asyncProperty(rawRequest, async (bytes) => {
          tried++
          const answer = await rawExchange(gateway.port, bytes)
          const context = `${gateway.url} <- ${bytes.toString('latin1').slice(0, 200)} -> ${answer.slice(0, 300)}`
          for (const match of answer.matchAll(new RegExp(statusLine, 'gm'))) {
            expect(Number(match[1]), context).toBeLessThan(500)
          }
          expect(answer, context).not.toMatch(STACK)
        }),
        { numRuns: RUNS / 4 }
      )
    }
    expect(await redis(['ping'])).toBe('PONG')
    expect((await sql('SELECT 1 AS one')).rows).toHaveLength(1)
  }, 120_000)
})
