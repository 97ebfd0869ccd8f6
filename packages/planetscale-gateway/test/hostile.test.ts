// Property-based hostile input (fast-check) over every procedure, through fetch and through raw
// sockets. No 5xx but the documented 501s, no stack trace, JSON answers, nothing stored by a
// request that was refused, and the gateway keeps serving.
import { randomBytes, randomUUID } from 'node:crypto'
import type { RunningGateway } from '@edge-status/gateway-kit'
import {
  answered,
  auth,
  bodyOf,
  expectRawAnswerSafe,
  extraHeaders,
  type HostileRequest,
  headerText,
  method,
  mostly,
  rawExchange,
  rawRequest,
  sendHostile,
} from '@edge-status/gateway-kit/testing/hostile'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlanetScaleGateway } from '../src/gateway.ts'
import { MYSQL_URL } from './helpers.ts'

/** MySQL schema of this file only. */
const DATABASE = 'gw_hostile_test'
const USER = 'hostile'
const PASSWORD = randomBytes(12).toString('hex')
const MAX_BODY = 64 * 1024
const RUNS = Number(process.env.HOSTILE_RUNS ?? 1000)
/** Every refused request carries a write of this row; it may never exist. */
const CANARY = `canary-${randomUUID()}`

let planetscale: RunningGateway
let tried = 0

beforeAll(async () => {
  planetscale = await startPlanetScaleGateway({
    mysqlUrl: MYSQL_URL,
    users: { [USER]: { password: PASSWORD, database: DATABASE } },
    maxBodyBytes: MAX_BODY,
  })
  await sql(`CREATE TABLE IF NOT EXISTS canary (tag VARCHAR(100) NOT NULL)`)
})

afterAll(async () => {
  await planetscale?.close()
  console.log(
    JSON.stringify({ hostilePlanetScaleRequests: tried, answers: Object.fromEntries(answered) })
  )
})

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

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
    extra: extraHeaders,
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

// The one documented 5xx: procedures the gateway does not implement (Connect "unimplemented").
const unimplemented = (status: number, path: string) =>
  status === 501 && /\/(StreamExecute|Prepare)$/.test(path)

describe('PlanetScale gateway under hostile input', () => {
  it(`answers ${RUNS} random requests with JSON below 500 and keeps serving`, async () => {
    await fc.assert(
      fc.asyncProperty(psRequest, async (request) => {
        tried++
        await sendHostile(planetscale.url, request, unimplemented)
      }),
      { numRuns: RUNS }
    )
    expect((await sql('SELECT 1 AS one')).rows).toHaveLength(1)
    const { rows } = await sql(`SELECT tag FROM canary WHERE tag = '${CANARY}'`)
    expect(rows, 'a refused request wrote').toEqual([])
  }, 120_000)

  it(`survives ${RUNS / 4} garbage and malformed requests on raw sockets`, async () => {
    const paths = ['/', '/pipeline', '/psdb.v1alpha1.Database/Execute']
    await fc.assert(
      fc.asyncProperty(rawRequest(paths, basic(USER, PASSWORD)), async (bytes) => {
        tried++
        const answer = await rawExchange(planetscale.port, bytes)
        const context = `${planetscale.url} <- ${bytes.toString('latin1').slice(0, 200)} -> ${answer.slice(0, 300)}`
        expectRawAnswerSafe(answer, context)
      }),
      { numRuns: RUNS / 4 }
    )
    expect((await sql('SELECT 1 AS one')).rows).toHaveLength(1)
  }, 120_000)
})
