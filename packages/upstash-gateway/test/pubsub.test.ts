// Pub/sub and MONITOR over server-sent events, through @upstash/redis's own subscribe() and
// psubscribe(), with messages published through the gateway and straight to Redis.
import { randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { serverAddress } from '@edge-status/gateway-kit'
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstashGateway } from '../src/gateway.ts'
import { encodeCommands } from '../src/resp.ts'
import { REDIS_URL } from './helpers.ts'

const TOKEN = `pubsub-${randomUUID()}`
const DB = 11
let gateway: RunningGateway
let redis: Redis

beforeAll(async () => {
  gateway = await startUpstashGateway({ redisUrl: REDIS_URL, tokens: { [TOKEN]: DB } })
  redis = new Redis({ url: gateway.url, token: TOKEN })
})

afterAll(() => gateway?.close())

/** Every test uses channel names of its own. */
const channel = (label: string) => `test:pubsub:${label}:${randomUUID()}`

/**
 * PUBLISH on a plain RESP connection, as any Redis client would: in Redis, the token's channel
 * `name` is `db<DB>:name`.
 */
function publishDirect(name: string, message: string): Promise<void> {
  const { host, port } = serverAddress(REDIS_URL, 6379)
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () =>
      socket.write(encodeCommands([['PUBLISH', `db${DB}:${name}`, message]]))
    )
    socket.once('data', () => {
      socket.end()
      resolve()
    })
    socket.once('error', reject)
  })
}

/** Subscribers on a channel, as Redis counts them (PUBSUB NUMSUB). */
async function subscribers(name: string): Promise<number> {
  const [, count] = (await redis.exec(['PUBSUB', 'NUMSUB', name])) as [string, number]
  return Number(count)
}

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 3000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

describe('subscribe()', () => {
  it('receives messages published through the gateway and straight to Redis', async () => {
    const name = channel('messages')
    const counts: number[] = []
    const messages: unknown[] = []
    const sub = redis.subscribe(name)
    sub.on('subscribe', (count) => counts.push(count))
    sub.on(`message:${name}`, ({ message }) => messages.push(message))
    await until(async () => (await subscribers(name)) === 1, 'the subscription')
    await redis.publish(name, { from: 'gateway', n: 1 })
    await publishDirect(name, JSON.stringify({ from: 'redis', n: 2 }))
    await redis.publish(name, 'plain text')
    await until(() => messages.length === 3, 'three messages')
    expect(counts).toEqual([1])
    expect(messages).toEqual([{ from: 'gateway', n: 1 }, { from: 'redis', n: 2 }, 'plain text'])
    await sub.unsubscribe()
  })

  it('closes the Redis subscription when the client unsubscribes', async () => {
    const name = channel('unsubscribe')
    const sub = redis.subscribe([name])
    await until(async () => (await subscribers(name)) === 1, 'the subscription')
    await sub.unsubscribe()
    await until(async () => (await subscribers(name)) === 0, 'Redis to drop the subscriber')
    expect(await redis.publish(name, 'nobody listens')).toBe(0)
  })

  it('gives each subscriber its own stream, and subscribes to several channels at once', async () => {
    const [a, b] = [channel('a'), channel('b')]
    const first: unknown[] = []
    const second: { channel: string; message: unknown }[] = []
    const one = redis.subscribe(a)
    const both = redis.subscribe([a, b])
    one.on('message', ({ message }) => first.push(message))
    both.on('message', (data) => second.push(data))
    await until(async () => (await subscribers(a)) === 2 && (await subscribers(b)) === 1, 'subs')
    await redis.publish(a, 'to a')
    await redis.publish(b, 'to b')
    await until(() => first.length === 1 && second.length === 2, 'the messages')
    expect(first).toEqual(['to a'])
    expect(second).toEqual([
      { channel: a, message: 'to a' },
      { channel: b, message: 'to b' },
    ])
    await Promise.all([one.unsubscribe(), both.unsubscribe()])
  })
})

describe('psubscribe()', () => {
  it('receives pmessage events with the pattern and the channel', async () => {
    const prefix = channel('pattern')
    const pattern = `${prefix}:*`
    const seen: { pattern: string; channel: string; message: unknown }[] = []
    let subscribed = false
    const sub = redis.psubscribe(pattern)
    sub.on('psubscribe', () => {
      subscribed = true
    })
    sub.on('pmessage', (data) => seen.push(data))
    await until(() => subscribed, 'the psubscribe confirmation')
    await redis.publish(`${prefix}:1`, { n: 1 })
    await publishDirect(`${prefix}:2`, '{"n":2}')
    await redis.publish(`${channel('elsewhere')}`, { n: 3 })
    await until(() => seen.length === 2, 'two pmessages')
    expect(seen).toEqual([
      { pattern, channel: `${prefix}:1`, message: { n: 1 } },
      { pattern, channel: `${prefix}:2`, message: { n: 2 } },
    ])
    await sub.unsubscribe()
  })
})

/** Reads a stream's text until `done` says enough, then aborts it. */
async function readStream(
  path: string,
  done: (text: string) => boolean,
  whileOpen: () => Promise<unknown>
) {
  const controller = new AbortController()
  const res = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' },
    signal: controller.signal,
  })
  expect(res.headers.get('content-type')).toBe('text/event-stream')
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let text = ''
  let first = true
  while (!done(text)) {
    const { value, done: ended } = await reader.read()
    if (ended) break
    text += decoder.decode(value, { stream: true })
    if (first) {
      first = false
      await whileOpen()
    }
  }
  controller.abort()
  return text
}

describe('the SSE endpoints on the wire', () => {
  it('sends a multi-line message as one event with a data: line per line', async () => {
    const name = channel('lines')
    const text = await readStream(
      `/subscribe/${encodeURIComponent(name)}`,
      (t) => t.includes('second'),
      () => publishDirect(name, 'first\nsecond')
    )
    expect(text).toBe(`data: subscribe,${name},1\n\ndata: message,${name},first\ndata: second\n\n`)
  })

  it('shows MONITOR lines of the token database only, addresses hidden', async () => {
    const key = `test:monitor:${randomUUID()}`
    const other = new Redis({ url: gateway.url, token: TOKEN })
    const text = await readStream(
      '/monitor',
      (t) => t.includes(key),
      async () => {
        await publishDirect('unrelated', 'x')
        await other.set(key, 'v')
      }
    )
    expect(text.startsWith('data: "OK"\n\n')).toBe(true)
    expect(text).toMatch(
      new RegExp(`data: \\d+\\.\\d+ \\[${DB} 0\\.0\\.0\\.0:0\\] "set" "${key}" "v"`)
    )
    expect(text, 'commands on database 0 are not shown').not.toContain('"PUBLISH"')
    await other.del(key)
  })

  it('refuses a subscription without a channel', async () => {
    const res = await fetch(`${gateway.url}/subscribe/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: "ERR wrong number of arguments for 'subscribe' command",
    })
  })
})
