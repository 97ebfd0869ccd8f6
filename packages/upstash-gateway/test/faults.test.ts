// Redis going away, lying or stalling: the gateway answers JSON 5xx, drops the bad connection,
// reconnects on the next request and never crashes. Fake Redis servers speak RESP on loopback.
import { randomUUID } from 'node:crypto'
import { connect, createServer, type Server, type Socket } from 'node:net'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { serverAddress } from '@edge-status/gateway-kit'
import { freePort } from '@edge-status/gateway-kit/testing'
import { errors, Redis } from '@upstash/redis'
import { afterEach, describe, expect, it } from 'vitest'
import { RedisConnection } from '../src/connection.ts'
import { startUpstashGateway } from '../src/gateway.ts'
import { type Reply, RespParser } from '../src/resp.ts'
import { REDIS_URL } from './helpers.ts'

const TOKEN = `faults-${randomUUID()}`
/** The machine's Redis, for the tests that need a real one behind the gateway. */
const REAL_REDIS = serverAddress(REDIS_URL, 6379)
const cleanup: (() => Promise<unknown> | undefined)[] = []

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

interface Fake {
  port: number
  connections: number
  closed: number
  commands: string[][]
  sockets: Set<Socket>
  server: Server
}

/** A TCP server that parses RESP requests and lets `answer` decide what bytes to send back. */
async function fakeRedis(
  answer: (command: string[], socket: Socket) => string | undefined
): Promise<Fake> {
  const fake: Fake = {
    port: 0,
    connections: 0,
    closed: 0,
    commands: [],
    sockets: new Set(),
    server: createServer(),
  }
  fake.server.on('connection', (socket) => {
    fake.connections++
    fake.sockets.add(socket)
    socket.on('close', () => {
      fake.closed++
      fake.sockets.delete(socket)
    })
    socket.on('error', () => {})
    const parser = new RespParser((reply: Reply) => {
      const command = (reply as Buffer[]).map((b) => b.toString())
      // The connection setup (creating and logging in as the token's ACL user) always succeeds:
      // these fakes misbehave on requests.
      if (['ACL', 'AUTH', 'SELECT'].includes(command[0] as string)) return socket.write('+OK\r\n')
      fake.commands.push(command)
      const out = answer(command, socket)
      if (out !== undefined && !socket.destroyed) socket.write(out)
    })
    socket.on('data', (chunk) => parser.feed(chunk))
  })
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve))
  fake.port = (fake.server.address() as { port: number }).port
  cleanup.push(() => stopFake(fake))
  return fake
}

function stopFake(fake: Fake): Promise<void> {
  for (const socket of fake.sockets) socket.destroy()
  return new Promise((resolve) => fake.server.close(() => resolve()))
}

async function gatewayFor(
  port: number,
  extra: { commandTimeoutMs?: number; db?: number; host?: string } = {}
) {
  const gateway = await startUpstashGateway({
    redisUrl: `redis://${extra.host ?? '127.0.0.1'}:${port}`,
    tokens: { [TOKEN]: extra.db ?? 0 },
    commandTimeoutMs: extra.commandTimeoutMs,
  })
  cleanup.push(() => gateway.close())
  return gateway
}

async function post(gateway: RunningGateway, body: unknown, path = '/') {
  const started = performance.now()
  const res = await fetch(gateway.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  return {
    status: res.status,
    json: JSON.parse(text) as Record<string, unknown>,
    ms: performance.now() - started,
  }
}

const waitFor = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(check(), what).toBe(true)
}

describe('Redis unreachable or lost', () => {
  it('answers 503 JSON when Redis is not listening, and the client raises UpstashError', async () => {
    const gateway = await gatewayFor(await freePort())
    const answer = await post(gateway, ['ping'])
    expect(answer.status).toBe(503)
    expect(String(answer.json.error)).toMatch(/^ERR Redis unavailable/)
    const error = await new Redis({ url: gateway.url, token: TOKEN })
      .get('k')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(errors.UpstashError)
    expect(error).not.toBeInstanceOf(errors.UpstashJSONParseError)
  })

  it('reconnects on the next request after Redis drops its connections or restarts', async () => {
    // A pass-through proxy to the real Redis stands in for a Redis that restarts.
    const port = await freePort()
    const sockets = new Set<Socket>()
    const startProxy = async () => {
      const server = createServer((client) => {
        const upstream = connect(REAL_REDIS.port, REAL_REDIS.host)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('error', () => {})
          s.on('close', () => sockets.delete(s))
        }
        client.pipe(upstream).pipe(client)
        client.on('close', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
      })
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
      return server
    }
    const dropAll = () => {
      for (const s of sockets) s.destroy()
    }
    let proxy = await startProxy()
    const gateway = await gatewayFor(port, { db: 9 })
    cleanup.push(
      () =>
        new Promise((resolve) => {
          proxy.close(resolve)
          dropAll()
        })
    )
    expect((await post(gateway, ['ping'])).json).toEqual({ result: 'PONG' })

    dropAll()
    await waitFor(() => sockets.size === 0, 'proxy sockets closed')
    expect((await post(gateway, ['ping'])).json, 'after a dropped connection').toEqual({
      result: 'PONG',
    })

    await new Promise((resolve) => {
      proxy.close(resolve)
      dropAll()
    })
    const down = await post(gateway, ['ping'])
    expect(down.status, JSON.stringify(down.json)).toBe(503)
    proxy = await startProxy()
    expect((await post(gateway, ['ping'])).json, 'after Redis came back').toEqual({
      result: 'PONG',
    })
    const pipe = await post(gateway, [['ping'], ['echo', 'x']], '/pipeline')
    expect(pipe.json).toEqual([{ result: 'PONG' }, { result: 'x' }])
  })
})

describe('misbehaving Redis', () => {
  it('drops a connection that sends bytes that are not RESP and uses a fresh one next time', async () => {
    let lie = true
    const fake = await fakeRedis(() => (lie ? '!not resp\r\n' : '+PONG\r\n'))
    const gateway = await gatewayFor(fake.port)
    const bad = await post(gateway, ['ping'])
    expect(bad.status).toBe(502)
    expect(String(bad.json.error)).toMatch(/protocol error/)
    await waitFor(() => fake.closed === 1, 'the poisoned connection was closed')
    lie = false
    expect((await post(gateway, ['ping'])).json).toEqual({ result: 'PONG' })
    expect(fake.connections, 'a new connection was opened').toBe(2)
  })

  it('drops a connection that stalls mid-reply (504) and never reuses it', async () => {
    let stall = true
    const fake = await fakeRedis(() => (stall ? '$10\r\nabc' : '+PONG\r\n'))
    const gateway = await gatewayFor(fake.port, { commandTimeoutMs: 150 })
    const slow = await post(gateway, ['get', 'k'])
    expect(slow.status).toBe(504)
    expect(slow.ms, 'answered after the timeout').toBeGreaterThanOrEqual(140)
    await waitFor(() => fake.closed === 1, 'the stalled connection was closed')
    stall = false
    expect((await post(gateway, ['ping'])).json).toEqual({ result: 'PONG' })
    expect(fake.connections).toBe(2)
  })

  it('answers 502 when the connection dies inside a transaction, and recovers', async () => {
    let die = true
    const fake = await fakeRedis((command, socket) => {
      if (die && command[0] === 'EXEC') {
        socket.destroy()
        return undefined
      }
      if (command[0] === 'MULTI') return '+OK\r\n'
      if (command[0] === 'EXEC') return '*1\r\n+PONG\r\n'
      return '+QUEUED\r\n'
    })
    const gateway = await gatewayFor(fake.port)
    const lost = await post(gateway, [['ping']], '/multi-exec')
    expect(lost.status).toBe(502)
    die = false
    expect((await post(gateway, [['ping']], '/multi-exec')).json).toEqual([{ result: 'PONG' }])
  })

  it('never writes a request when SELECT fails (no commands land in database 0)', async () => {
    const gateway = await gatewayFor(REAL_REDIS.port, { db: 100_000, host: REAL_REDIS.host })
    const k = `test:faults:${randomUUID()}`
    const answer = await post(gateway, ['set', k, 'x'])
    expect(answer.status).toBe(503)
    expect(String(answer.json.error)).toMatch(/DB index is out of range/)
    const direct = new RedisConnection(
      { host: REAL_REDIS.host, port: REAL_REDIS.port, db: 0, timeoutMs: 2000 },
      () => {}
    )
    const [exists] = await direct.send([['EXISTS', k]])
    await direct.close()
    expect(exists, 'the key must not exist in database 0').toBe(0)
  })
})

describe('close()', () => {
  it('finishes in-flight requests, closes Redis sockets, then refuses new connections', async () => {
    // A Redis that takes 200 ms per reply keeps a request in flight while close() runs.
    const fake = await fakeRedis((_command, socket) => {
      setTimeout(() => socket.write('+PONG\r\n'), 200)
      return undefined
    })
    const gateway = await startUpstashGateway({
      redisUrl: `redis://127.0.0.1:${fake.port}`,
      tokens: { [TOKEN]: 0 },
    })
    const inFlight = post(gateway, ['ping'])
    await waitFor(() => fake.commands.length === 1, 'the command reached Redis')
    const closed = gateway.close()
    const answer = await inFlight
    expect(answer.json, 'the in-flight request completed').toEqual({ result: 'PONG' })
    expect(answer.ms, 'it was not cut short').toBeGreaterThanOrEqual(150)
    await closed
    await waitFor(() => fake.closed === fake.connections, 'Redis connections closed')
    const error = await fetch(gateway.url, { method: 'POST', body: '["ping"]' }).catch(
      (e: unknown) => e
    )
    expect(error, 'no longer listening').toBeInstanceOf(Error)
  })
})
