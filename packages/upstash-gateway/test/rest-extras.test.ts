// FLUSHALL and FLUSHDB scoped to the token's database, and commands written in the URL
// (path-style), as Upstash's REST docs show them with curl.
import { randomUUID } from 'node:crypto'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstashGateway } from '../src/gateway.ts'
import { REDIS_URL } from './helpers.ts'

/** Databases of this file only: FLUSHALL empties the first one. */
const FLUSHED_DB = 13
const NEIGHBOUR_DB = 14
const TOKEN = `extras-${randomUUID()}`
const NEIGHBOUR = `extras-neighbour-${randomUUID()}`
/** Path-style tests write uniquely named keys where other files do (database 9). */
const PATH_TOKEN = `extras-path-${randomUUID()}`
let gateway: RunningGateway
let redis: Redis
let neighbour: Redis
let pathRedis: Redis
const PATH_PREFIX = `test:path:${randomUUID()}:`

beforeAll(async () => {
  gateway = await startUpstashGateway({
    redisUrl: REDIS_URL,
    tokens: { [TOKEN]: FLUSHED_DB, [NEIGHBOUR]: NEIGHBOUR_DB, [PATH_TOKEN]: 9 },
  })
  redis = new Redis({ url: gateway.url, token: TOKEN })
  pathRedis = new Redis({ url: gateway.url, token: PATH_TOKEN })
  neighbour = new Redis({ url: gateway.url, token: NEIGHBOUR })
})

afterAll(async () => {
  const keys = await pathRedis?.keys(`${PATH_PREFIX}*`)
  if (keys?.length) await pathRedis.del(...keys)
  await gateway?.close()
})

describe('FLUSHALL and FLUSHDB', () => {
  it('empty the token database and nothing else, in every form the client sends', async () => {
    const kept = `test:extras:kept:${randomUUID()}`
    await neighbour.set(kept, 'stays', { ex: 60 })
    await redis.flushdb()
    const flushes: [string, () => Promise<unknown>][] = [
      ['flushall()', () => redis.flushall()],
      ['flushall([{ async: true }])', () => redis.flushall([{ async: true }])],
      ['flushdb()', () => redis.flushdb()],
      ['flushdb({ async: true })', () => redis.flushdb({ async: true })],
      ['FLUSHALL SYNC in a pipeline', () => command('/pipeline', [['FLUSHALL', 'SYNC']])],
      ['flushall in a transaction', () => redis.multi().flushall().exec()],
    ]
    for (const [how, flush] of flushes) {
      await redis.mset({ 'test:extras:a': 1, 'test:extras:b': 2 })
      expect(await redis.dbsize(), how).toBe(2)
      await flush()
      await expectEventually(
        async () => (await redis.dbsize()) === 0,
        `${how} emptied the database`
      )
      expect(await neighbour.get(kept), `${how} left the other database alone`).toBe('stays')
    }
  })

  it('passes Redis own answer to a bad argument through', async () => {
    const res = await command('/', ['FLUSHALL', 'NOW'])
    expect(res.status).toBe(400)
    expect(res.json).toEqual({ error: 'ERR syntax error' })
  })
})

async function expectEventually(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20))
  expect(await check(), what).toBe(true)
}

/** A raw request with the token; a body that is not a string or bytes is sent as JSON. */
async function command(path: string, body?: unknown, init: RequestInit = {}, token = TOKEN) {
  const raw = typeof body === 'string' || body instanceof Uint8Array
  const res = await fetch(`${gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
    body: body === undefined ? undefined : raw ? (body as BodyInit) : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined }
}

describe('path-style commands', () => {
  const key = (label: string) => `${PATH_PREFIX}${label}:${randomUUID()}`
  const path = (p: string, body?: unknown, init: RequestInit = {}) =>
    command(p, body, init, PATH_TOKEN)

  it('runs GET /COMMAND/arg/... with each segment percent-decoded', async () => {
    const k = key('a/b c')
    expect(
      (await path(`/set/${encodeURIComponent(k)}/${encodeURIComponent('hé llo/x')}`)).json
    ).toEqual({
      result: 'OK',
    })
    expect(await pathRedis.get(k)).toBe('hé llo/x')
    expect((await path(`/GET/${encodeURIComponent(k)}`)).json).toEqual({ result: 'hé llo/x' })
    expect((await path(`/mget/${encodeURIComponent(k)}/nope`)).json).toEqual({
      result: ['hé llo/x', null],
    })
  })

  it('appends a POST body as the last argument, then the query parameters', async () => {
    const k = key('post')
    const set = await path(`/set/${k}?EX=100&NX`, '{"a":1}')
    expect(set.json).toEqual({ result: 'OK' })
    expect(await pathRedis.get(k), 'the body is the value').toEqual({ a: 1 })
    const ttl = await pathRedis.ttl(k)
    expect(ttl).toBeGreaterThan(90)
    expect((await path(`/set/${k}?NX`, 'again')).json, 'NX came after the body').toEqual({
      result: null,
    })
  })

  it('stores a binary body byte for byte, readable back with base64 encoding', async () => {
    const k = key('binary')
    const bytes = new Uint8Array([0, 255, 254, 10, 128, 65])
    expect((await path(`/set/${k}`, bytes)).json).toEqual({ result: 'OK' })
    const read = await path(`/get/${k}`, undefined, {
      headers: { 'upstash-encoding': 'base64' },
    })
    expect(read.json).toEqual({ result: Buffer.from(bytes).toString('base64') })
    expect((await path(`/strlen/${k}`)).json).toEqual({ result: 6 })
  })

  it('takes the token from ?_token=, answers HEAD, and reports Redis errors as 400', async () => {
    const k = key('token')
    await pathRedis.set(k, 'v')
    const res = await fetch(`${gateway.url}/get/${k}?_token=${PATH_TOKEN}`)
    expect(await res.json()).toEqual({ result: 'v' })
    const head = await fetch(`${gateway.url}/get/${k}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${PATH_TOKEN}` },
    })
    expect(head.status).toBe(200)
    expect((await path(`/incr/${k}`)).json).toEqual({
      error: 'ERR value is not an integer or out of range',
    })
    expect((await path(`/incr/${k}`)).status).toBe(400)
  })

  it('answers 404 for an unknown command, 400 for bad percent-encoding, 401 without a token', async () => {
    expect((await path('/nosuchcommand/x')).status).toBe(404)
    expect((await path('/get/%E0%A4%A')).status).toBe(400)
    const anonymous = await fetch(`${gateway.url}/get/x`)
    expect(anonymous.status).toBe(401)
  })

  it('keeps refusing what would break a shared connection', async () => {
    const res = await path('/select/2')
    expect(res.status).toBe(400)
    expect(String((res.json as { error: string }).error)).toMatch(
      /^ERR Command is not available: 'SELECT'/
    )
  })
})
