// The skeleton through a toy gateway: routing, the error idiom, the counting rule and its
// timeline, added latency, streams and the graceful close.
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpError } from '../src/errors.ts'
import { RequestLog, TIMELINE_SIZE, wallClock } from '../src/request-log.ts'
import {
  type GatewayDefinition,
  type RunningGateway,
  type ServerOptions,
  startServer,
} from '../src/server.ts'

const running: RunningGateway[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.close()))
})

/** Token "t" (or "u") authenticates; errors render as {"problem": …}. */
function toy(overrides: Partial<GatewayDefinition<string>> = {}): GatewayDefinition<string> {
  return {
    name: 'toy-gateway',
    routes: {
      '/echo': {
        methods: ['POST'],
        handle: async (ctx) => ({ status: 200, body: JSON.stringify({ got: await ctx.body() }) }),
      },
      '/wait': {
        methods: ['GET'],
        handle: async () => {
          await sleep(200)
          return { status: 200, body: '{"waited":true}' }
        },
      },
      '/fail': {
        methods: ['GET'],
        handle: async () => {
          throw new HttpError(409, 'taken', 'conflict')
        },
      },
      '/crash': {
        methods: ['GET'],
        handle: async () => {
          throw new Error('secret internals')
        },
      },
      '/items/*': {
        methods: ['GET'],
        handle: async (ctx) => ({ status: 200, body: JSON.stringify({ path: ctx.path }) }),
      },
      '/items/special': {
        methods: ['GET'],
        handle: async () => ({ status: 200, body: '{"special":true}' }),
      },
      '/events': {
        methods: ['GET'],
        handle: async () => ({
          status: 200,
          headers: { 'content-type': 'text/event-stream' },
          async stream(res, signal) {
            res.write('data: hello\n\n')
            await new Promise((resolve) => signal.addEventListener('abort', resolve))
          },
        }),
      },
    },
    authenticate(req) {
      const token = req.headers.authorization
      return token === 't' || token === 'u' ? { credential: token, user: token } : undefined
    },
    errorAnswer: (error) => ({
      status: error.status,
      body: JSON.stringify({ problem: error.message, code: error.code }),
    }),
    close: async () => {},
    ...overrides,
  }
}

async function start(options: Partial<ServerOptions> = {}, definition = toy()) {
  const gateway = await startServer(definition, {
    maxBodyBytes: 100,
    keepAliveTimeoutMs: 5000,
    ...options,
  })
  running.push(gateway)
  return gateway
}

async function call(gateway: RunningGateway, path: string, init: RequestInit = {}) {
  const headers = { authorization: 't', ...(init.headers as Record<string, string>) }
  const res = await fetch(`${gateway.url}${path}`, { ...init, headers })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

describe('routes and errors', () => {
  it('routes exact paths before the longest prefix, and answers 404, 405 and 401 in that order', async () => {
    const gateway = await start()
    expect((await call(gateway, '/items/special')).json).toEqual({ special: true })
    expect((await call(gateway, '/items/a/b?x=1')).json).toEqual({ path: '/items/a/b' })
    expect((await call(gateway, '/nowhere', { headers: { authorization: 'bad' } })).status).toBe(
      404
    )
    expect(
      (await call(gateway, '/echo', { method: 'GET', headers: { authorization: 'bad' } })).status
    ).toBe(405)
    const denied = await call(gateway, '/wait', { headers: { authorization: 'bad' } })
    expect(denied.status).toBe(401)
  })

  it('renders thrown HttpErrors in the protocol, and anything else as a 500 without internals', async () => {
    const gateway = await start()
    expect(await call(gateway, '/fail')).toEqual({
      status: 409,
      json: { problem: 'taken', code: 'conflict' },
    })
    const crash = await call(gateway, '/crash')
    expect(crash.status).toBe(500)
    expect(JSON.stringify(crash.json)).not.toContain('secret')
  })

  it('refuses a body over the limit with a 413 and keeps the connection usable', async () => {
    const gateway = await start()
    const big = await call(gateway, '/echo', { method: 'POST', body: 'x'.repeat(101) })
    expect(big.status).toBe(413)
    expect((await call(gateway, '/echo', { method: 'POST', body: 'ok' })).json).toEqual({
      got: 'ok',
    })
  })
})

describe('the counting rule', () => {
  it('records each request once under its credential, never the stats probe itself', async () => {
    const gateway = await start()
    await call(gateway, '/echo', { method: 'POST', body: 'a' })
    await call(gateway, '/fail')
    await call(gateway, '/echo', { method: 'POST', body: 'b', headers: { authorization: 'u' } })
    await call(gateway, '/echo', { method: 'POST', headers: { authorization: 'nobody' } })
    const stats = await call(gateway, '/__stats')
    expect(stats.json.requests, 'two of t, a stats probe not counted').toBe(2)
    expect((await call(gateway, '/__stats')).json.requests, 'still 2').toBe(2)
    expect(gateway.stats().requests).toEqual({ t: 2, u: 1, '': 1 })
    const bad = await fetch(`${gateway.url}/__stats`, { headers: { authorization: 'nobody' } })
    expect(bad.status).toBe(401)
  })

  it('records a request whose client left before the answer', async () => {
    const gateway = await start()
    await fetch(`${gateway.url}/wait`, {
      headers: { authorization: 't' },
      signal: AbortSignal.timeout(50),
    }).catch(() => undefined)
    await sleep(300)
    expect(gateway.stats().requests.t).toBe(1)
  })

  it('reports [start, end] in wall-clock ms from the request to its written answer', async () => {
    const gateway = await start()
    const before = wallClock()
    await call(gateway, '/wait')
    const after = wallClock()
    const { json } = await call(gateway, '/__stats')
    const recent = json.recent as [number, number][]
    expect(recent).toHaveLength(1)
    const [began, ended] = recent[0] as [number, number]
    expect(began, 'after the call began').toBeGreaterThanOrEqual(before)
    expect(ended - began, 'the handler took 200 ms').toBeGreaterThanOrEqual(195)
    expect(ended, 'before the answer arrived').toBeLessThanOrEqual(after)
    expect(gateway.timeline('t')).toEqual(recent)
  })

  it('keeps the last TIMELINE_SIZE requests, oldest first', () => {
    const log = new RequestLog()
    for (let i = 0; i < TIMELINE_SIZE + 5; i++) log.record('k', i, i + 0.5)
    const recent = log.recent('k')
    expect(recent).toHaveLength(TIMELINE_SIZE)
    expect(recent[0]).toEqual([5, 5.5])
    expect(recent.at(-1)).toEqual([TIMELINE_SIZE + 4, TIMELINE_SIZE + 4.5])
    expect(log.count('k')).toBe(TIMELINE_SIZE + 5)
    expect(JSON.parse(log.statsJson('k')).recent).toEqual(recent)
  })
})

describe('added latency', () => {
  it('delays every answer, errors included, but not the stats probe', async () => {
    const gateway = await start({ latencyMs: 150 })
    for (const path of ['/items/x', '/nowhere']) {
      const started = performance.now()
      await call(gateway, path)
      expect(performance.now() - started, path).toBeGreaterThanOrEqual(145)
    }
    const started = performance.now()
    await call(gateway, '/__stats')
    expect(performance.now() - started, 'stats').toBeLessThan(100)
    for (const [start, end] of gateway.timeline('t'))
      expect(end - start).toBeGreaterThanOrEqual(145)
  })
})

describe('close()', () => {
  it('lets an in-flight request finish, ends streams, then stops listening', async () => {
    let closedBackends = false
    const gateway = await start(
      {},
      toy({
        close: async () => {
          closedBackends = true
        },
      })
    )
    const events = await fetch(`${gateway.url}/events`, { headers: { authorization: 't' } })
    const inFlight = call(gateway, '/wait')
    await sleep(50)
    await gateway.close()
    expect(await inFlight).toEqual({ status: 200, json: { waited: true } })
    expect(await events.text(), 'the stream ended').toBe('data: hello\n\n')
    expect(closedBackends).toBe(true)
    await expect(fetch(`${gateway.url}/items/x`)).rejects.toThrow()
  })
})
