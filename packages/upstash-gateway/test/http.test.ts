// The gateway's HTTP surface with raw fetch and raw sockets: status codes, headers, encodings,
// argument conversion, refused commands, limits and garbage (PROTOCOL.md §1-§7).
import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstashGateway } from '../src/gateway.ts'
import { REDIS_URL } from './helpers.ts'

const TOKEN = `http-${randomUUID()}`
const OTHER = `http-other-${randomUUID()}`
const prefix = `test:http:${randomUUID()}:`
let gateway: RunningGateway
let small: RunningGateway

beforeAll(async () => {
  gateway = await startUpstashGateway({
    redisUrl: REDIS_URL,
    tokens: { [TOKEN]: 9, [OTHER]: 10 },
  })
  small = await startUpstashGateway({
    redisUrl: REDIS_URL,
    tokens: { [TOKEN]: 9 },
    maxBodyBytes: 1000,
  })
})

afterAll(async () => {
  for (const token of [TOKEN, OTHER]) {
    const { json } = await call('/', ['keys', `${prefix}*`], { token })
    const keys = (json as { result: string[] }).result
    if (keys.length > 0) await call('/', ['del', ...keys], { token })
  }
  await Promise.all([gateway?.close(), small?.close()])
})

interface Answer {
  status: number
  headers: Headers
  text: string
  json: unknown
}

interface CallOptions {
  token?: string | null
  base64?: boolean
  method?: string
  headers?: Record<string, string>
  target?: RunningGateway
}

async function call(path: string, body: unknown, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers }
  const token = options.token === undefined ? TOKEN : options.token
  if (token !== null) headers.authorization = `Bearer ${token}`
  if (options.base64) headers['upstash-encoding'] = 'base64'
  const method = options.method ?? 'POST'
  const res = await fetch(`${(options.target ?? gateway).url}${path}`, {
    method,
    headers,
    body:
      method === 'GET' || method === 'HEAD'
        ? undefined
        : typeof body === 'string'
          ? body
          : JSON.stringify(body),
  })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error(
      `${method} ${path} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`
    )
  }
  expect(res.headers.get('content-type'), `content-type of ${path}`).toBe('application/json')
  expect(res.headers.get('upstash-sync-token'), `sync token of ${path}`).toBeTruthy()
  return { status: res.status, headers: res.headers, text, json }
}

/** Sends raw bytes and returns the raw HTTP response text. */
function rawHttp(bytes: string | Buffer, target: RunningGateway = gateway): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(target.port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.on('error', reject)
    socket.write(bytes)
    socket.setTimeout(5000, () => {
      socket.destroy()
      resolve(Buffer.concat(chunks).toString('utf8'))
    })
  })
}

async function stillAnswers(): Promise<void> {
  const { status, json } = await call('/', ['ping'])
  expect({ status, json }, 'the gateway still answers').toEqual({
    status: 200,
    json: { result: 'PONG' },
  })
}

const key = (name: string) => prefix + name

describe('routing, methods and auth', () => {
  it('answers a single command with {"result"} and a fresh sync token each time', async () => {
    const first = await call('/', ['set', key('a'), 'v'], { headers: { 'upstash-sync-token': '' } })
    const second = await call('/', ['get', key('a')], {
      headers: { 'upstash-sync-token': first.headers.get('upstash-sync-token') ?? '' },
    })
    expect(first.json).toEqual({ result: 'OK' })
    expect(second.json).toEqual({ result: 'v' })
    expect(second.headers.get('upstash-sync-token'), 'sync token changes').not.toBe(
      first.headers.get('upstash-sync-token')
    )
  })

  it('rejects missing and wrong tokens with 401 {"error":"Unauthorized"}', async () => {
    for (const token of [null, 'wrong', '']) {
      const answer = await call('/', ['ping'], { token })
      expect({ status: answer.status, json: answer.json }, `token ${token}`).toEqual({
        status: 401,
        json: { error: 'Unauthorized' },
      })
    }
    const lowercase = await call('/', ['ping'], {
      token: null,
      headers: { authorization: `bearer ${TOKEN}` },
    })
    expect(lowercase.status, 'scheme is case-insensitive').toBe(200)
  })

  it('accepts the token as ?_token=', async () => {
    const answer = await call(`/pipeline?_token=${encodeURIComponent(TOKEN)}`, [['ping']], {
      token: null,
    })
    expect(answer.json).toEqual([{ result: 'PONG' }])
  })

  it('answers unknown paths with 404 and other methods with 405, both JSON', async () => {
    expect((await call('/nope', ['ping'])).status).toBe(404)
    expect((await call('/pipeline/extra', [['ping']])).status).toBe(404)
    expect((await call('/', null, { method: 'GET' })).status).toBe(405)
    expect((await call('/pipeline', null, { method: 'DELETE' })).status).toBe(405)
    expect((await call('/multi-exec', null, { method: 'PATCH' })).status).toBe(405)
  })

  it('keeps connections alive', async () => {
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '["ping"]',
    })
    await res.text()
    expect(res.headers.get('connection')).toBe('keep-alive')
  })
})

describe('stats', () => {
  it('counts answered requests per token, bad credentials under ""', async () => {
    const gw = await startUpstashGateway({
      redisUrl: REDIS_URL,
      tokens: { [TOKEN]: 9, [OTHER]: 10 },
    })
    try {
      const opts = { target: gw }
      await call('/', ['ping'], opts)
      await call('/pipeline', [['ping'], ['ping']], opts)
      await call('/', ['incr'], opts) // a Redis error is still an answered request
      await call('/', ['ping'], { ...opts, token: OTHER })
      await call('/', ['ping'], { ...opts, token: 'bad' })
      await call('/', ['ping'], { ...opts, token: null })
      expect(gw.stats()).toEqual({ requests: { [TOKEN]: 3, [OTHER]: 1, '': 2 } })
      const probe = await call('/__stats', null, { ...opts, method: 'GET' })
      expect(probe.json, 'GET /__stats reports its own token').toMatchObject({ requests: 3 })
      expect((probe.json as { recent: unknown[] }).recent, 'and its requests').toHaveLength(3)
      const again = await call('/__stats', null, { ...opts, method: 'GET', token: OTHER })
      expect(again.json).toMatchObject({ requests: 1 })
      expect(gw.stats().requests[TOKEN], 'stats probes are not counted').toBe(3)
      expect((await call('/__stats', null, { ...opts, method: 'GET', token: 'bad' })).status).toBe(
        401
      )
    } finally {
      await gw.close()
    }
  })
})

describe('argument conversion (§4)', () => {
  it('sends number literals, booleans and null as text', async () => {
    const cases: [string, string][] = [
      ['1e+21', '1e+21'],
      ['0.10', '0.10'],
      ['-0', '-0'],
      ['1E-7', '1E-7'],
      ['123456789012345678901234567890', '123456789012345678901234567890'],
      ['true', 'true'],
      ['false', 'false'],
      ['null', ''],
      ['"\\u00e9\\ud83d\\ude42\\n"', 'é🙂\n'],
    ]
    for (const [i, [literal, stored]] of cases.entries()) {
      const set = await call('/', `["set", "${key(`arg${i}`)}", ${literal}]`)
      expect(set.json, `set ${literal}`).toEqual({ result: 'OK' })
      expect((await call('/', ['get', key(`arg${i}`)])).json, `stored ${literal}`).toEqual({
        result: stored,
      })
    }
  })

  it('rejects nested arrays and objects as arguments with 400', async () => {
    for (const body of ['["set","k",["x"]]', '["set","k",{"a":1}]', '[["set","k",["x"]]]']) {
      const path = body.startsWith('[[') ? '/pipeline' : '/'
      const answer = await call(path, body)
      expect(answer.status, body).toBe(400)
      expect(answer.json, body).toHaveProperty('error')
    }
  })
})

describe('replies (§5, §6)', () => {
  it('writes integers above 2^53 with the exact digits Redis returned', async () => {
    await call('/', ['set', key('big'), '9223372036854775806'])
    const plain = await call('/', ['incr', key('big')])
    expect(plain.text).toBe('{"result":9223372036854775807}')
    // The literal in the body goes to Redis as written, so it is not rounded by JSON.parse.
    const b64 = await call('/pipeline', `[["incrby", "${key('big2')}", 9007199254740993]]`, {
      base64: true,
    })
    expect(b64.text).toBe('[{"result":9007199254740993}]')
    const neg = await call('/', ['decrby', key('big3'), '9007199254740995'], { base64: true })
    expect(neg.text).toBe('{"result":-9007199254740995}')
  })

  it('base64 mode: top-level OK stays plain, every other string is base64', async () => {
    const opts = { base64: true }
    expect((await call('/', ['set', key('b'), 'bar'], opts)).text).toBe('{"result":"OK"}')
    expect((await call('/', ['get', key('b')], opts)).text).toBe('{"result":"YmFy"}')
    expect((await call('/', ['ping'], opts)).text).toBe('{"result":"UE9ORw=="}')
    expect((await call('/', ['type', key('b')], opts)).text).toBe('{"result":"c3RyaW5n"}')
    expect((await call('/', ['get', key('none')], opts)).text).toBe('{"result":null}')
    await call('/', ['rpush', key('l'), 'a', 'OK'])
    expect((await call('/', ['lrange', key('l'), 0, -1], opts)).text).toBe(
      '{"result":["YQ==","T0s="]}'
    )
    const nested = await call('/', ['eval', "return {redis.status_reply('OK'), {1, 'x'}}", 0], opts)
    expect(nested.text, 'nested simple strings are encoded too').toBe(
      '{"result":["T0s=",[1,"eA=="]]}'
    )
    const pipe = await call(
      '/pipeline',
      [
        ['set', key('b'), 'x'],
        ['get', key('b')],
      ],
      opts
    )
    expect(pipe.text, 'each pipeline entry is top level').toBe(
      '[{"result":"OK"},{"result":"eA=="}]'
    )
    const multi = await call('/multi-exec', [['set', key('b'), 'y'], ['ping']], opts)
    expect(multi.text).toBe('[{"result":"OK"},{"result":"UE9ORw=="}]')
  })

  it('sends raw bytes: exact base64, U+FFFD for invalid UTF-8 in plain mode', async () => {
    const k = key('bytes')
    await call('/', ['eval', "return redis.call('SET', KEYS[1], string.char(255, 0, 65))", 1, k])
    expect((await call('/', ['get', k], { base64: true })).text).toBe('{"result":"/wBB"}')
    expect((await call('/', ['get', k])).json).toEqual({ result: '\ufffd\u0000A' })
  })

  it('answers a single-command Redis error with 400 and pipeline errors as entries', async () => {
    const single = await call('/', ['nosuchcommand'])
    expect(single.status).toBe(400)
    expect((single.json as { error: string }).error).toMatch(/^ERR unknown command 'nosuchcommand'/)
    const pipe = await call('/pipeline', [
      ['set', key('e'), 'x'],
      ['incr', key('e')],
      ['get', key('e')],
    ])
    expect(pipe.status).toBe(200)
    expect(pipe.json).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 'x' },
    ])
  })

  it('returns EXECABORT as a single 400 error and WRONGTYPE as an entry', async () => {
    const abort = await call('/multi-exec', [['set', key('t'), '1'], ['nosuchcommand']])
    expect(abort.status).toBe(400)
    expect(abort.json).toEqual({
      error: 'EXECABORT Transaction discarded because of previous errors.',
    })
    expect((await call('/', ['get', key('t')])).json, 'nothing written').toEqual({ result: null })
    await call('/', ['sadd', key('set'), 'm'])
    const wrongtype = await call('/multi-exec', [
      ['get', key('set')],
      ['set', key('t'), '2'],
    ])
    expect(wrongtype.status).toBe(200)
    expect(wrongtype.json).toEqual([
      { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
      { result: 'OK' },
    ])
  })
})

describe('refused commands', () => {
  const refused = [
    ['subscribe', 'ch'],
    ['psubscribe', 'ch*'],
    ['ssubscribe', 'ch'],
    ['monitor'],
    ['select', '1'],
    ['MULTI'],
    ['exec'],
    ['discard'],
    ['watch', 'k'],
    ['unwatch'],
    ['blpop', 'k', '1'],
    ['brpop', 'k', '1'],
    ['blmove', 'a', 'b', 'left', 'left', '1'],
    ['brpoplpush', 'a', 'b', '1'],
    ['bzpopmin', 'z', '1'],
    ['bzpopmax', 'z', '1'],
    ['blmpop', '1', '1', 'k', 'left'],
    ['bzmpop', '1', '1', 'z', 'min'],
    ['xread', 'BLOCK', '100', 'STREAMS', 's', '$'],
    ['xreadgroup', 'GROUP', 'g', 'c', 'block', '100', 'STREAMS', 's', '>'],
    ['wait', '0', '0'],
    ['client', 'list'],
    ['hello', '3'],
    ['auth', 'x'],
    ['reset'],
    ['quit'],
    ['shutdown'],
    ['swapdb', '0', '1'],
    ['move', 'k', '1'],
    ['copy', 'a', 'b', 'DB', '1'],
    ['debug', 'sleep', '1'],
    ['config', 'set', 'maxmemory', '1'],
  ]

  it('answers each with a clear ERR, as a single command and as a pipeline entry', async () => {
    for (const command of refused) {
      const single = await call('/', command)
      expect(single.status, JSON.stringify(command)).toBe(400)
      expect((single.json as { error: string }).error, JSON.stringify(command)).toMatch(
        /^ERR Command is not available/
      )
    }
    const pipe = await call('/pipeline', [
      ['set', key('r'), '1'],
      ['blpop', 'k', '0'],
      ['get', key('r')],
    ])
    expect(pipe.json).toMatchObject([
      { result: 'OK' },
      { error: expect.stringMatching(/^ERR Command is not available: 'BLPOP'/) },
      { result: '1' },
    ])
  })

  it('refuses a transaction that contains one, without running any of it', async () => {
    const answer = await call('/multi-exec', [
      ['set', key('rt'), '1'],
      ['subscribe', 'x'],
    ])
    expect(answer.status).toBe(400)
    expect((answer.json as { error: string }).error).toMatch(/^ERR Command is not available/)
    expect((await call('/', ['get', key('rt')])).json).toEqual({ result: null })
  })

  it('lets the harmless forms through: XREAD without BLOCK, FLUSHDB, COPY within the database', async () => {
    await call('/', ['xadd', key('stream'), '*', 'f', 'v'])
    const xread = await call('/', ['xread', 'COUNT', 1, 'STREAMS', key('stream'), '0'])
    expect(xread.status, JSON.stringify(xread.json)).toBe(200)
    // A bad FLUSHDB argument proves Redis, not the gateway, answered (and flushes nothing).
    const flush = await call('/', ['flushdb', 'not-an-option'])
    expect((flush.json as { error: string }).error).toBe('ERR syntax error')
    await call('/', ['set', key('c1'), 'x'])
    expect((await call('/', ['copy', key('c1'), key('c2')])).json).toEqual({ result: 1 })
    const setinfo = await call('/multi-exec', [
      ['set', key('c3'), 'x'],
      ['client', 'setinfo', 'lib-name', 'edge'],
      ['get', key('c3')],
    ])
    expect(setinfo.json, 'CLIENT SETINFO answered in place').toEqual([
      { result: 'OK' },
      { result: 'OK' },
      { result: 'x' },
    ])
  })
})

describe('bad requests never crash the gateway', () => {
  it('answers malformed and wrongly shaped bodies with 400 JSON', async () => {
    const bodies: [string, string][] = [
      ['/', ''],
      ['/', 'not json'],
      ['/', '{"cmd":"get"}'],
      ['/', '"get"'],
      ['/', '[]'],
      ['/', '["get", "k"'],
      ['/', '["get" "k"]'],
      ['/', '["get", "k"] trailing'],
      ['/', '["get", 01]'],
      ['/', '["get", "unterminated]'],
      ['/', '["get", "bad \\x escape"]'],
      ['/', '["get", tru]'],
      ['/', '[["get", "k"]]'],
      ['/', '\ufeff["ping"]'],
      ['/pipeline', '[]'],
      ['/pipeline', '[[]]'],
      ['/pipeline', '["get", "k"]'],
      ['/pipeline', '[["get", "k"], "x"]'],
      ['/pipeline', '{}'],
      ['/multi-exec', '[]'],
      ['/multi-exec', 'null'],
      ['/multi-exec', '[[["deep"]]]'],
    ]
    for (const [path, body] of bodies) {
      const answer = await call(path, body)
      expect(answer.status, `${path} ${body}`).toBe(400)
      expect(typeof (answer.json as { error: unknown }).error, `${path} ${body}`).toBe('string')
    }
    await stillAnswers()
  })

  it('is lenient about content types but still needs JSON', async () => {
    for (const type of [
      'text/plain',
      'application/json; charset=utf-8',
      'application/x-www-form-urlencoded',
    ]) {
      const answer = await call('/', ['ping'], { headers: { 'content-type': type } })
      expect(answer.json, type).toEqual({ result: 'PONG' })
    }
    const form = await call('/', 'a=1&b=2', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(form.status).toBe(400)
  })

  it('replaces invalid UTF-8 in the body instead of failing', async () => {
    const body = Buffer.concat([
      Buffer.from(`["set","${key('utf')}","`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"]'),
    ])
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body,
    })
    expect(await res.json()).toEqual({ result: 'OK' })
    expect((await call('/', ['get', key('utf')])).json).toEqual({ result: '\ufffd\ufffd' })
  })

  it('answers 413 for a body over the limit, and keeps working', async () => {
    const answer = await call('/', ['set', key('huge'), 'x'.repeat(2000)], { target: small })
    expect(answer.status).toBe(413)
    expect(answer.json).toEqual({ error: 'ERR max request size exceeded' })
    const chunked = await fetch(small.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: new Blob(['["set","k","', 'y'.repeat(5000), '"]']).stream(),
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status, 'chunked body without content-length').toBe(413)
    expect(await chunked.json()).toEqual({ error: 'ERR max request size exceeded' })
    const ok = await call('/', ['ping'], { target: small })
    expect(ok.json).toEqual({ result: 'PONG' })
  })

  it('raises the 413 through the official client for a value over 10 MiB', async () => {
    const redis = new Redis({ url: gateway.url, token: TOKEN })
    await expect(redis.set(key('toolarge'), 'z'.repeat(11 * 1024 * 1024))).rejects.toThrow(
      'ERR max request size exceeded'
    )
    await stillAnswers()
  })

  it('answers huge headers and broken HTTP with JSON errors', async () => {
    const huge = await rawHttp(
      `POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\nContent-Length: 8\r\n\r\n["ping"]`
    )
    expect(huge).toMatch(/^HTTP\/1\.1 431 /)
    expect(huge).toMatch(/content-type: application\/json/i)
    expect(huge).toMatch(/upstash-sync-token: \w+/i)
    expect(huge).toContain('{"error":')
    const garbage = await rawHttp('GARBAGE\r\n\r\n')
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /)
    expect(garbage).toContain('{"error":')
    const badLength = await rawHttp('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')
    expect(badLength).toMatch(/^HTTP\/1\.1 400 /)
    const auth = `Authorization: Bearer ${TOKEN}\r\nContent-Length: 8\r\nConnection: close\r\n`
    const expect417 = await rawHttp(
      `POST / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n${auth}\r\n["ping"]`
    )
    expect(expect417).toMatch(/^HTTP\/1\.1 417 /)
    expect(expect417).toMatch(/content-type: application\/json/i)
    const absolute = await rawHttp(
      `POST http://x/pipeline HTTP/1.1\r\nHost: x\r\n${auth}\r\n[["ping"]]`.replace(
        'Length: 8',
        'Length: 10'
      )
    )
    expect(absolute, 'absolute-form request target').toMatch(/\[\{"result":"PONG"\}\]$/)
    await stillAnswers()
  })

  it('survives clients that disappear mid-body or mid-response', async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(gateway.port, '127.0.0.1', () => {
        socket.write(
          `POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 100\r\n\r\n["pi`
        )
        setTimeout(() => {
          socket.destroy()
          resolve()
        }, 20)
      })
    })
    await new Promise<void>((resolve) => {
      const socket = connect(gateway.port, '127.0.0.1', () => {
        socket.end(
          `POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 8\r\n\r\n["ping"]`
        )
        socket.destroy()
        resolve()
      })
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    await stillAnswers()
  })
})

describe('isolation', () => {
  it('gives each token its own key space', async () => {
    const k = key('shared-name')
    await call('/', ['set', k, 'nine'])
    await call('/', ['set', k, 'ten'], { token: OTHER })
    expect((await call('/', ['get', k])).json).toEqual({ result: 'nine' })
    expect((await call('/', ['get', k], { token: OTHER })).json).toEqual({ result: 'ten' })
    const other = new Redis({ url: gateway.url, token: OTHER })
    expect(await other.get(k)).toBe('ten')
  })

  it('never lets a concurrent command slip into a transaction', async () => {
    const counter = key('iso-counter')
    const tx = Array.from({ length: 20 }, (_, i) =>
      call('/multi-exec', [
        ['set', key(`iso${i}`), 'a'],
        ['append', key(`iso${i}`), 'b'],
        ['get', key(`iso${i}`)],
      ])
    )
    const plain = Array.from({ length: 200 }, () => call('/', ['incr', counter]))
    const piped = Array.from({ length: 20 }, () =>
      call('/pipeline', [
        ['incr', counter],
        ['incr', counter],
      ])
    )
    const [txs, plains, pipes] = await Promise.all([
      Promise.all(tx),
      Promise.all(plain),
      Promise.all(piped),
    ])
    for (const answer of txs) {
      expect(answer.json, 'transaction result').toEqual([
        { result: 'OK' },
        { result: 2 },
        { result: 'ab' },
      ])
    }
    const values = plains.map((a) => (a.json as { result: unknown }).result)
    for (const pipe of pipes) {
      for (const entry of pipe.json as { result: unknown }[]) values.push(entry.result)
    }
    expect(
      values.every((v) => typeof v === 'number'),
      'no INCR was answered QUEUED'
    ).toBe(true)
    expect(new Set(values).size, 'every INCR ran exactly once').toBe(240)
    expect((await call('/', ['get', counter])).json).toEqual({ result: '240' })
  })
})
