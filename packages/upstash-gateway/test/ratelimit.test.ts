// @upstash/ratelimit 2.2.0 scripts start with `#!lua flags=allow-key-locking`, which stock Redis 7
// rejects; the gateway rewrites them and aliases their hashes (PROTOCOL.md §8).
import { createHash, randomUUID } from 'node:crypto'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { Ratelimit } from '@upstash/ratelimit'
import { Redis } from '@upstash/redis'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startUpstashGateway } from '../src/gateway.ts'
import { rewriteShebang } from '../src/scripts.ts'
import { REDIS_URL } from './helpers.ts'

const TOKEN = `ratelimit-${randomUUID()}`
const prefix = `test:ratelimit:${randomUUID()}`
let gateway: RunningGateway
let redis: Redis

beforeAll(async () => {
  gateway = await startUpstashGateway({
    redisUrl: REDIS_URL,
    tokens: { [TOKEN]: 9 },
  })
  redis = new Redis({ url: gateway.url, token: TOKEN })
})

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`)
  if (keys.length > 0) await redis.del(...keys)
  await gateway?.close()
})

afterEach(() => {
  vi.restoreAllMocks()
})

function recordCommands(): string[][] {
  const seen: string[][] = []
  const original = globalThis.fetch
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const body = JSON.parse(String(init?.body)) as unknown[]
    const commands = Array.isArray(body[0]) ? (body as unknown[][]) : [body]
    seen.push(commands.map((command) => String(command[0])))
    return original(input, init)
  })
  return seen
}

const limiters = {
  'fixed window': () => Ratelimit.fixedWindow(3, '30 s'),
  'sliding window': () => Ratelimit.slidingWindow(3, '30 s'),
  'token bucket': () => Ratelimit.tokenBucket(1, '30 s', 3),
}

describe('@upstash/ratelimit through the gateway', () => {
  for (const [name, limiter] of Object.entries(limiters)) {
    it(`${name}: allows the limit, then blocks; the second call is one EVALSHA hit`, async () => {
      const ratelimit = new Ratelimit({ redis, limiter: limiter(), prefix: `${prefix}:${name}` })
      const seen = recordCommands()
      const first = await ratelimit.limit('user')
      expect(first.success, 'first call').toBe(true)
      expect(first.remaining, 'remaining after the first call').toBe(2)
      expect(seen, 'first call: EVALSHA misses (unknown original hash), EVAL runs').toEqual([
        ['evalsha'],
        ['eval'],
      ])

      seen.length = 0
      const second = await ratelimit.limit('user')
      expect(second.remaining, 'remaining after the second call').toBe(1)
      expect(seen, 'the second call is exactly one request with one EVALSHA').toEqual([['evalsha']])

      await ratelimit.limit('user')
      const blocked = await ratelimit.limit('user')
      expect(blocked.success, 'fourth call within the window').toBe(false)
      expect(blocked.remaining).toBe(0)
    })
  }

  it('reports remaining tokens and resets a user', async () => {
    const ratelimit = new Ratelimit({
      redis,
      limiter: Ratelimit.fixedWindow(5, '30 s'),
      prefix: `${prefix}:reset`,
    })
    await ratelimit.limit('u2')
    await ratelimit.limit('u2')
    const { remaining } = await ratelimit.getRemaining('u2')
    expect(remaining, 'remaining after two calls').toBe(3)
    await ratelimit.resetUsedTokens('u2')
    expect((await ratelimit.getRemaining('u2')).remaining, 'after reset').toBe(5)
  })
})

describe('shebang normalization', () => {
  it('comments out a shebang whose flags Redis does not know, keeping line numbers', () => {
    const script = '#!lua flags=allow-key-locking\nreturn 1'
    expect(rewriteShebang(script)).toBe('--#!lua flags=allow-key-locking\nreturn 1')
  })

  it('keeps the flags Redis knows', () => {
    expect(rewriteShebang('#!lua flags=no-writes,allow-key-locking\nreturn 1')).toBe(
      '#!lua flags=no-writes\nreturn 1'
    )
    const known = '#!lua flags=no-writes\nreturn 1'
    expect(rewriteShebang(known), 'nothing to change').toBe(known)
    expect(rewriteShebang('return 1')).toBe('return 1')
  })

  it('runs a shebang script with EVAL, and SCRIPT LOAD answers the hash of the original text', async () => {
    const script = `#!lua flags=allow-key-locking\n-- ${randomUUID()}\nreturn ARGV[1]`
    const sha = createHash('sha1').update(script).digest('hex')
    expect(await redis.eval(script, [], ['hi']), 'eval').toBe('hi')
    const loaded = await redis.scriptLoad(`${script}\n`)
    const loadedSha = createHash('sha1').update(`${script}\n`).digest('hex')
    expect(loaded, 'SCRIPT LOAD answer').toBe(loadedSha)
    expect(await redis.scriptExists(sha, loadedSha), 'SCRIPT EXISTS of original hashes').toEqual([
      1, 1,
    ])
    expect(await redis.evalsha(sha, [], ['again']), 'evalsha with the original hash').toBe('again')
  })

  it('reports a Lua error on the same line number as the original script', async () => {
    const script = `#!lua flags=allow-key-locking\n-- ${randomUUID()}\nerror("boom")`
    await expect(redis.eval(script, [], [])).rejects.toThrow(/:3: boom/)
  })
})
