// The client's everyday calls, driven by the unmodified @upstash/redis client (base64 and
// auto-pipelining on) against the gateway and a real Redis (database 9).
import { randomUUID } from 'node:crypto'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { errors, Redis } from '@upstash/redis'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startUpstashGateway } from '../src/gateway.ts'
import { REDIS_URL } from './helpers.ts'

const TOKEN = `client-${randomUUID()}`
let gateway: RunningGateway
let redis: Redis
let plain: Redis
let single: Redis
const prefix = `test:client:${randomUUID()}:`

beforeAll(async () => {
  gateway = await startUpstashGateway({
    redisUrl: REDIS_URL,
    tokens: { [TOKEN]: 9 },
  })
  redis = new Redis({ url: gateway.url, token: TOKEN })
  plain = new Redis({ url: gateway.url, token: TOKEN, responseEncoding: false })
  single = new Redis({ url: gateway.url, token: TOKEN, enableAutoPipelining: false })
})

afterAll(async () => {
  const keys = await single.keys(`${prefix}*`)
  if (keys.length > 0) await single.del(...keys)
  await gateway?.close()
})

afterEach(() => {
  vi.restoreAllMocks()
})

function key(name: string): string {
  return prefix + name
}

/** Records what the client sends, so tests can assert on endpoints and bodies. */
function recordRequests(): { path: string; body: string }[] {
  const seen: { path: string; body: string }[] = []
  const original = globalThis.fetch
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    seen.push({ path: new URL(String(input)).pathname, body: String(init?.body) })
    return original(input, init)
  })
  return seen
}

async function rawGet(k: string): Promise<unknown> {
  const res = await fetch(gateway.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(['get', k]),
  })
  return ((await res.json()) as { result: unknown }).result
}

describe('strings and expiry', () => {
  it('sets with EX, reads back, reports a TTL and null for a missing key', async () => {
    const k = key('s1')
    expect(await redis.set(k, 'v', { ex: 60 }), 'set ex').toBe('OK')
    expect(await redis.get(k), 'get').toBe('v')
    const ttl = await redis.ttl(k)
    expect(ttl, `ttl was ${ttl}`).toBeGreaterThanOrEqual(1)
    expect(ttl, `ttl was ${ttl}`).toBeLessThanOrEqual(60)
    expect(await redis.get(key('missing')), 'missing key').toBeNull()
  })

  it('answers a missing key in a pipeline with {"result":null}', async () => {
    const res = await fetch(`${gateway.url}/pipeline`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'upstash-encoding': 'base64' },
      body: JSON.stringify([['get', key('missing')]]),
    })
    expect(await res.text(), 'pipeline body').toBe('[{"result":null}]')
  })

  it('honours NX and GET options of SET', async () => {
    const k = key('s2')
    await redis.set(k, 'old')
    expect(await redis.set(k, 'new', { nx: true }), 'nx on existing key').toBeNull()
    expect(await redis.set(k, 'newer', { get: true }), 'get option returns old value').toBe('old')
    expect(await redis.get(k), 'value after set get').toBe('newer')
  })

  it('GETEX resets the TTL and PERSIST removes it', async () => {
    const k = key('s3')
    await redis.set(k, 'v', { ex: 100 })
    expect(await redis.getex(k, { ex: 5 }), 'getex value').toBe('v')
    const ttl = await redis.ttl(k)
    expect(ttl, `ttl after getex ex 5 was ${ttl}`).toBeGreaterThan(0)
    expect(ttl, `ttl after getex ex 5 was ${ttl}`).toBeLessThanOrEqual(5)
    expect(await redis.getex(k, { persist: true }), 'getex persist').toBe('v')
    expect(await redis.ttl(k), 'ttl after persist').toBe(-1)
  })

  it('DEL counts, EXPIRE answers 1 or 0, TTL of a missing key is -2', async () => {
    const [a, b] = [key('d1'), key('d2')]
    await redis.set(a, '1')
    await redis.set(b, '2')
    expect(await redis.del(a, b, key('d3')), 'del count').toBe(2)
    await redis.set(a, '1')
    expect(await redis.expire(a, 10), 'expire existing').toBe(1)
    expect(await redis.expire(key('nokey'), 10), 'expire missing').toBe(0)
    expect(await redis.ttl(key('nokey')), 'ttl missing').toBe(-2)
  })
})

describe('INCR and errors', () => {
  it('increments from 1 to 2', async () => {
    const k = key('n1')
    expect(await redis.incr(k)).toBe(1)
    expect(await redis.incr(k)).toBe(2)
  })

  it('throws the Redis error on the single-command path', async () => {
    const k = key('n2')
    await single.set(k, 'abc')
    const seen = recordRequests()
    await expect(single.incr(k)).rejects.toThrow(
      `ERR value is not an integer or out of range, command was: ["incr","${k}"]`
    )
    expect(seen.map((r) => r.path)).toEqual(['/'])
  })

  it('throws the Redis error from an auto-pipeline and still runs the other commands', async () => {
    const k = key('n3')
    await redis.set(k, 'abc')
    const seen = recordRequests()
    const [bad, good] = await Promise.allSettled([redis.incr(k), redis.incr(key('n3ok'))])
    expect(bad.status).toBe('rejected')
    expect(String((bad as PromiseRejectedResult).reason)).toContain(
      'ERR value is not an integer or out of range'
    )
    expect(good, 'the other command of the batch').toEqual({ status: 'fulfilled', value: 1 })
    expect(
      seen.map((r) => r.path),
      'one /pipeline request'
    ).toEqual(['/pipeline'])
  })

  it('reports an unknown command as a 400 Redis error', async () => {
    await expect(redis.exec(['nosuchcommand', 'x'])).rejects.toThrow(/ERR unknown command/)
  })
})

describe('sets', () => {
  it('SADD/SREM count, SMEMBERS returns the members, an empty set is []', async () => {
    const k = key('set')
    expect(await redis.sadd(k, 'a', 'b', 'c'), 'sadd').toBe(3)
    expect(await redis.srem(k, 'c', 'zz'), 'srem').toBe(1)
    expect((await redis.smembers(k)).sort(), 'smembers').toEqual(['a', 'b'])
    expect(await redis.smembers(key('noset')), 'empty set').toEqual([])
  })
})

describe('values', () => {
  const samples = ['hello 🙂', '你好，世界', 'Ελληνικά ✓ 𝄞', 'a\u0000b\nc"d\\e']

  it('round-trips Unicode and emoji in base64 and plain mode', async () => {
    for (const [i, value] of samples.entries()) {
      await redis.set(key(`u${i}`), value)
      expect(await redis.get(key(`u${i}`)), `base64 mode: ${value}`).toBe(value)
      expect(await plain.get(key(`u${i}`)), `plain mode: ${value}`).toBe(value)
    }
  })

  it('round-trips a 1 MB value', async () => {
    const value = '🙂x'.repeat((1024 * 1024) / 6) + 'é'.repeat(1000)
    const k = key('big')
    expect(await redis.set(k, value)).toBe('OK')
    const back = await redis.get<string>(k)
    expect(back?.length, 'length of the value read back').toBe(value.length)
    expect(back === value, 'value read back equals the value written').toBe(true)
    expect((await plain.get<string>(k)) === value, 'plain mode').toBe(true)
  })

  it('stores numbers, objects and number literals as the text the client sent', async () => {
    await redis.set(key('n'), 2)
    await redis.set(key('o'), { a: 1, nested: { b: [1, 2] } })
    await redis.set(key('big'), 1e21)
    expect(await rawGet(key('n')), 'number').toBe('2')
    expect(await rawGet(key('o')), 'object').toBe('{"a":1,"nested":{"b":[1,2]}}')
    expect(await rawGet(key('big')), '1e21').toBe('1e+21')
    expect(await redis.get(key('o')), 'deserialized object').toEqual({
      a: 1,
      nested: { b: [1, 2] },
    })
  })

  it('passes null arguments on as the client serializes them', async () => {
    await redis.set(key('null'), null)
    expect(await rawGet(key('null')), 'null value').toBe('null')
    expect(await redis.get(key('null')), 'deserialized null').toBeNull()
  })
})

describe('pipelines', () => {
  it('returns values in order', async () => {
    const k = key('p1')
    const p = redis.pipeline()
    p.set(k, 1)
    p.incr(k)
    p.get(k)
    expect(await p.exec()).toEqual(['OK', 2, 2])
  })

  it('keeps running after an error in the middle', async () => {
    const [k, after] = [key('p2'), key('p2after')]
    const build = () => {
      const p = redis.pipeline()
      p.set(k, 'text')
      p.incr(k)
      p.set(after, 'done')
      return p
    }
    await expect(build().exec(), 'exec throws').rejects.toThrow(
      /Command 2 \[ incr \] failed: ERR value is not an integer/
    )
    expect(await redis.get(after), 'command after the failure ran').toBe('done')
    const entries = await build().exec({ keepErrors: true })
    expect(entries).toEqual([
      { result: 'OK', error: undefined },
      { result: undefined, error: 'ERR value is not an integer or out of range' },
      { result: 'OK', error: undefined },
    ])
  })

  it('delivers 50 concurrent mixed calls as a few /pipeline requests, in order', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => key(`c${i}`))
    const seen = recordRequests()
    const writes = keys.map((k, i) => redis.set(k, `v${i}`))
    const reads = keys.map((k) => redis.get(k))
    const results = await Promise.all([...writes, ...reads])
    expect(results.slice(0, 25)).toEqual(keys.map(() => 'OK'))
    expect(results.slice(25)).toEqual(keys.map((_, i) => `v${i}`))
    expect(seen.length, `requests: ${JSON.stringify(seen.map((r) => r.path))}`).toBeLessThanOrEqual(
      3
    )
    expect(seen.every((r) => r.path === '/pipeline')).toBe(true)
  })
})

describe('transactions', () => {
  it('applies every command', async () => {
    const [a, b] = [key('m1a'), key('m1b')]
    const m = redis.multi()
    m.set(a, 'x')
    m.incr(b)
    m.incr(b)
    m.get(a)
    expect(await m.exec()).toEqual(['OK', 1, 2, 'x'])
  })

  it('reports a runtime error in its entry and commits the rest', async () => {
    const [list, other] = [key('m2list'), key('m2other')]
    await redis.lpush(list, 'item')
    const m = redis.multi()
    m.set(other, 'before')
    m.incr(list)
    m.set(other, 'after')
    const entries = await m.exec({ keepErrors: true })
    expect(entries[1]?.error, 'WRONGTYPE entry').toMatch(/^WRONGTYPE Operation against a key/)
    expect(entries[1]?.result).toBeUndefined()
    expect(entries[2], 'command after the failure').toEqual({ result: 'OK', error: undefined })
    expect(await redis.get(other), 'committed').toBe('after')
  })

  it('discards the whole transaction when a command is rejected while queueing', async () => {
    const k = key('m3')
    const m = redis.multi()
    m.set(k, 'must not be written')
    m.hset(key('m3hash'), {}) // HSET without field/value: wrong number of arguments
    const error = await m.exec().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(errors.UpstashError)
    expect(String(error)).toContain('EXECABORT Transaction discarded because of previous errors.')
    expect(await redis.get(k), 'nothing was written').toBeNull()
  })
})

describe('scripts', () => {
  it('answers an unknown hash with NOSCRIPT, single and pipelined', async () => {
    const sha = 'ffffffffffffffffffffffffffffffffffffffff'
    await expect(single.evalsha(sha, [], [])).rejects.toThrow(
      'NOSCRIPT No matching script. Please use EVAL.'
    )
    const p = redis.pipeline()
    p.evalsha(sha, [], [])
    const [entry] = await p.exec({ keepErrors: true })
    expect(entry?.error).toBe('NOSCRIPT No matching script. Please use EVAL.')
  })

  it('createScript falls back to EVAL once, then hits with EVALSHA', async () => {
    const k = key('script')
    const script = redis.createScript<number>(
      `-- ${randomUUID()}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`
    )
    const seen = recordRequests()
    expect(await script.exec([k], ['5'])).toBe(5)
    const first = seen.splice(0).map((r) => JSON.parse(r.body)[0][0])
    expect(first, 'first call: evalsha misses, eval runs').toEqual(['evalsha', 'eval'])
    expect(await script.exec([k], ['5'])).toBe(10)
    expect(
      seen.map((r) => JSON.parse(r.body)[0][0]),
      'second call'
    ).toEqual(['evalsha'])
  })

  it('runs EVAL_RO and SCRIPT LOAD / EXISTS', async () => {
    const k = key('ro')
    await redis.set(k, 'ro-value')
    expect(await redis.evalRo('return redis.call("GET", KEYS[1])', [k], [])).toBe('ro-value')
    const sha = await redis.scriptLoad('return 42')
    expect(sha).toBe('1fa00e76656cc152ad327c13fe365858fd7be306')
    expect(await redis.scriptExists(sha, 'ffffffffffffffffffffffffffffffffffffffff')).toEqual([
      1, 0,
    ])
    expect(await redis.evalsha(sha, [], [])).toBe(42)
  })
})

describe('auth and hashes', () => {
  it('rejects a bad token with 401 JSON, which the client raises as UpstashError', async () => {
    const bad = new Redis({ url: gateway.url, token: 'not-a-token' })
    const error = await bad.get(key('x')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(errors.UpstashError)
    expect(error).not.toBeInstanceOf(errors.UpstashJSONParseError)
    expect(String(error)).toContain('Unauthorized')
  })

  it('HGETALL decodes to an object, a missing hash to null', async () => {
    const k = key('hash')
    await redis.hset(k, { name: 'ada', n: 7, emoji: '🙂' })
    expect(await redis.hgetall(k)).toEqual({ name: 'ada', n: 7, emoji: '🙂' })
    expect(await redis.hgetall(key('nohash'))).toBeNull()
  })
})

describe('Upstash extensions', () => {
  it('answers scan({ withType: true }) with keys and their types', async () => {
    await redis.set(key('wt:str'), 'v')
    await redis.sadd(key('wt:set'), 'm')
    await redis.hset(key('wt:hash'), { f: 'v' })
    const found: { key: string; type: string }[] = []
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, {
        match: `${key('wt:')}*`,
        count: 1000,
        withType: true,
      })
      cursor = String(next)
      found.push(...(keys as unknown as { key: string; type: string }[]))
    } while (cursor !== '0')
    expect(found.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: key('wt:hash'), type: 'hash' },
      { key: key('wt:set'), type: 'set' },
      { key: key('wt:str'), type: 'string' },
    ])
    const [, plainKeys] = await redis.scan(0, { match: `${key('wt:s')}*`, count: 1000 })
    expect(plainKeys.sort(), 'scan without withType is untouched').toEqual([
      key('wt:set'),
      key('wt:str'),
    ])
  })

  it('accepts CLIENT SETINFO, which the client library exposes', async () => {
    expect(await redis.clientSetinfo('LIB-NAME', 'edge-status')).toBe('OK')
  })
})

describe('where Upstash and Redis 7 answer differently', () => {
  it('COPY of a key onto itself copies nothing instead of failing', async () => {
    const k = key('copy-self')
    await redis.set(k, 'v')
    expect(await redis.copy(k, k)).toBe('NOT_COPIED')
    expect(await redis.copy(k, k, { replace: true })).toBe('NOT_COPIED')
    expect(await redis.copy(k, key('copy-other'))).toBe('COPIED')
  })
})
