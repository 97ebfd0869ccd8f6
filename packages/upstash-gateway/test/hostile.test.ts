// Property-based hostile input (fast-check) over every endpoint, through fetch and through raw
// sockets. No 5xx, no stack trace, JSON answers, nothing stored by a request that was refused,
// and the gateway keeps serving.
import { randomUUID } from 'node:crypto'
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
import { startUpstashGateway } from '../src/gateway.ts'
import { REDIS_URL } from './helpers.ts'

/** Redis logical database of this file only. */
const REDIS_DB = 12
const TOKEN = `hostile-${randomUUID()}`
const MAX_BODY = 64 * 1024
const RUNS = Number(process.env.HOSTILE_RUNS ?? 1000)
/** Every refused request carries a write of this key; it may never exist. */
const CANARY = `canary-${randomUUID()}`

let upstash: RunningGateway
let tried = 0

beforeAll(async () => {
  upstash = await startUpstashGateway({
    redisUrl: REDIS_URL,
    tokens: { [TOKEN]: REDIS_DB },
    maxBodyBytes: MAX_BODY,
  })
})

afterAll(async () => {
  await redis(['del', CANARY]).catch(() => undefined)
  await upstash?.close()
  console.log(
    JSON.stringify({ hostileUpstashRequests: tried, answers: Object.fromEntries(answered) })
  )
})

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
    extra: extraHeaders,
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
        tried++
        await sendHostile(upstash.url, request)
      }),
      { numRuns: RUNS }
    )
    expect(await redis(['ping'])).toBe('PONG')
    expect(await redis(['exists', CANARY]), 'a refused request wrote').toBe(0)
  }, 120_000)

  it(`survives ${RUNS / 4} garbage and malformed requests on raw sockets`, async () => {
    const paths = ['/', '/pipeline', '/psdb.v1alpha1.Database/Execute']
    await fc.assert(
      fc.asyncProperty(rawRequest(paths, `Bearer ${TOKEN}`), async (bytes) => {
        tried++
        const answer = await rawExchange(upstash.port, bytes)
        const context = `${upstash.url} <- ${bytes.toString('latin1').slice(0, 200)} -> ${answer.slice(0, 300)}`
        expectRawAnswerSafe(answer, context)
      }),
      { numRuns: RUNS / 4 }
    )
    expect(await redis(['ping'])).toBe('PONG')
  }, 120_000)
})
