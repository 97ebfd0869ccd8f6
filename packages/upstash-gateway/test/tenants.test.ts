// One token attacks another behind the same gateway and Redis: every way out of its database
// (commands, scripts, functions, pipelines, transactions, URL paths) is refused, and the other
// token's keys, scripts and the server's state are what they were.
import { randomUUID } from 'node:crypto'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { serverAddress } from '@edge-status/gateway-kit'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { RedisConnection } from '../src/connection.ts'
import { startUpstashGateway } from '../src/gateway.ts'
import { RespError } from '../src/resp.ts'
import { REDIS_URL } from './helpers.ts'

const ATTACKER_DB = 4
const VICTIM_DB = 5
/** The database of the gateway with an admin account of its own. */
const OWN_ADMIN_DB = 8
const ATTACKER = `attacker-${randomUUID()}`
const VICTIM = `victim-${randomUUID()}`
const SECRET = `secret-${randomUUID()}`
const KEY = `tenants:${randomUUID()}`
const LIBRARY = `isolation_${randomUUID().replaceAll('-', '')}`
/** A function any token may call: it tries to switch to another database and read there. */
const FUNCTION_CODE = `#!lua name=${LIBRARY}
redis.register_function('${LIBRARY}_peek', function(keys, args)
  redis.call('SELECT', args[1])
  return redis.call('GET', keys[1])
end)`

let gateway: RunningGateway
/** The Redis admin, in the victim's database. */
let admin: RedisConnection
let victimScript: string

async function adminRun(...command: string[]): Promise<unknown> {
  const [reply] = await admin.send([command])
  if (reply instanceof RespError) throw new Error(`${command.join(' ')}: ${reply.message}`)
  return Buffer.isBuffer(reply) ? reply.toString() : reply
}

beforeAll(async () => {
  gateway = await startUpstashGateway({
    redisUrl: REDIS_URL,
    tokens: { [ATTACKER]: ATTACKER_DB, [VICTIM]: VICTIM_DB },
  })
  const { host, port, user, password } = serverAddress(REDIS_URL, 6379)
  admin = new RedisConnection(
    {
      host,
      port,
      username: user || undefined,
      password: password || undefined,
      db: VICTIM_DB,
      timeoutMs: 5000,
    },
    () => {}
  )
  // The attacker's database belongs to this file.
  await send(ATTACKER, '/', ['flushdb'])
})

afterAll(async () => {
  await adminRun('FUNCTION', 'DELETE', LIBRARY).catch(() => undefined)
  await adminRun('DEL', KEY).catch(() => undefined)
  await send(ATTACKER, '/', ['flushdb']).catch(() => undefined)
  await admin?.close()
  await gateway?.close()
})

// Each test starts from the same state, whatever an earlier one did (on a gateway that lets
// SCRIPT FLUSH or FLUSHALL through, say).
beforeEach(async () => {
  await adminRun('FUNCTION', 'LOAD', 'REPLACE', FUNCTION_CODE)
  victimScript = (await send(VICTIM, '/', ['script', 'load', `return '${SECRET}'`])).json
    .result as string
  expect((await send(VICTIM, '/', ['set', KEY, SECRET])).json).toEqual({ result: 'OK' })
  await send(ATTACKER, '/', ['set', KEY, 'attacker'])
})

interface Answer {
  status: number
  json: { result?: unknown; error?: string } & { result?: unknown; error?: string }[]
}

async function send(token: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(gateway.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, json: await res.json() }
}

/** What the attacker may not change: the victim's key space and script, the server's state. */
async function victimState(): Promise<unknown> {
  return {
    value: await adminRun('GET', KEY),
    keys: await adminRun('DBSIZE'),
    script: await adminRun('SCRIPT', 'EXISTS', victimScript),
    functions: ((await adminRun('FUNCTION', 'LIST', 'LIBRARYNAME', LIBRARY)) as unknown[]).length,
    role: String(((await adminRun('ROLE')) as unknown[])[0]),
    config: await adminRun('CONFIG', 'GET', 'maxmemory'),
    defaultUser: String(await adminRun('ACL', 'GETUSER', 'default')),
    // Other tests' gateways add their databases' users meanwhile: any other user is new.
    users: ((await adminRun('ACL', 'USERS')) as Buffer[])
      .map(String)
      .filter((name) => !/^upstash-gateway-db\d+(-copy)?$/.test(name)),
  }
}

const peek = (script: string) => ['eval', script, '1', KEY]

/** [what is tried, path, body]: each is refused, alone, in a pipeline and in a transaction. */
const ESCAPES: [string, unknown[]][] = [
  ['SELECT another database', ['select', String(VICTIM_DB)]],
  [
    'SELECT in a script, then GET',
    peek(`redis.call('SELECT', ${VICTIM_DB}) return redis.call('GET', KEYS[1])`),
  ],
  [
    'SELECT in a script, then SET',
    peek(`redis.call('SELECT', ${VICTIM_DB}) return redis.call('SET', KEYS[1], 'pwned')`),
  ],
  [
    'SELECT in a read-only script',
    ['eval_ro', `redis.call('SELECT', ${VICTIM_DB}) return redis.call('GET', KEYS[1])`, '1', KEY],
  ],
  [
    'SELECT in a protected call',
    peek(
      `local ok = redis.pcall('SELECT', ${VICTIM_DB}) if type(ok) == 'table' and ok.err then return redis.error_reply(ok.err) end return redis.call('GET', KEYS[1])`
    ),
  ],
  ['FCALL of a function that SELECTs', ['fcall', `${LIBRARY}_peek`, '1', KEY, String(VICTIM_DB)]],
  [
    'FCALL_RO of a function that SELECTs',
    ['fcall_ro', `${LIBRARY}_peek`, '1', KEY, String(VICTIM_DB)],
  ],
  ['MOVE a key into another database', ['move', KEY, String(VICTIM_DB)]],
  ['MOVE in a script', peek(`return redis.call('MOVE', KEYS[1], ${VICTIM_DB})`)],
  ['SWAPDB', ['swapdb', String(ATTACKER_DB), String(VICTIM_DB)]],
  ['SWAPDB in a script', peek(`return redis.call('SWAPDB', ${ATTACKER_DB}, ${VICTIM_DB})`)],
  ['COPY … DB', ['copy', KEY, KEY, 'DB', String(VICTIM_DB), 'REPLACE']],
  [
    'COPY … DB in a script',
    peek(`return redis.call('COPY', KEYS[1], KEYS[1], 'DB', ${VICTIM_DB}, 'REPLACE')`),
  ],
  ['FLUSHALL in a script', peek(`return redis.call('FLUSHALL')`)],
  ['SCRIPT FLUSH', ['script', 'flush']],
  ['SCRIPT KILL', ['script', 'kill']],
  ['FUNCTION FLUSH', ['function', 'flush']],
  ['FUNCTION DELETE', ['function', 'delete', LIBRARY]],
  ['FUNCTION LOAD REPLACE', ['function', 'load', 'replace', FUNCTION_CODE]],
  ['FUNCTION LIST (other code)', ['function', 'list', 'withcode']],
  ['SLOWLOG GET', ['slowlog', 'get']],
  ['SLOWLOG RESET', ['slowlog', 'reset']],
  ['CONFIG SET', ['config', 'set', 'maxmemory', '1']],
  ['CONFIG SET in a script', peek(`return redis.call('CONFIG', 'SET', 'maxmemory', '1')`)],
  ['INFO (every database)', ['info', 'keyspace']],
  ['INFO in a script', peek(`return redis.call('INFO', 'keyspace')`)],
  ['DEBUG', ['debug', 'set-active-expire', '0']],
  ['SHUTDOWN', ['shutdown', 'nosave']],
  ['REPLICAOF', ['replicaof', '127.0.0.1', '1']],
  ['SLAVEOF in a script', peek(`return redis.call('SLAVEOF', '127.0.0.1', '1')`)],
  ['SYNC', ['sync']],
  ['PSYNC', ['psync', '?', '-1']],
  ['MONITOR as a command', ['monitor']],
  ['CLIENT LIST', ['client', 'list']],
  ['CLIENT KILL', ['client', 'kill', 'type', 'normal']],
  ['ACL SETUSER', ['acl', 'setuser', 'default', 'off']],
  ['ACL in a script', peek(`return redis.call('ACL', 'SETUSER', 'default', 'off')`)],
  ['ACL LIST', ['acl', 'list']],
  ['AUTH as another user', ['auth', 'default', 'anything']],
  ['HELLO … AUTH', ['hello', '2', 'auth', 'default', 'anything']],
  ['RESET (back to database 0, default user)', ['reset']],
  ['MODULE LOAD', ['module', 'load', '/tmp/x.so']],
  ['LATENCY DOCTOR', ['latency', 'doctor']],
  ['MEMORY DOCTOR', ['memory', 'doctor']],
  ['MEMORY PURGE in a script', peek(`return redis.call('MEMORY', 'PURGE')`)],
  ['BGSAVE', ['bgsave']],
  ['SAVE in a script', peek(`return redis.call('SAVE')`)],
  ['FAILOVER', ['failover']],
  ['CLUSTER INFO', ['cluster', 'info']],
  ['MIGRATE', ['migrate', '127.0.0.1', '1', KEY, String(VICTIM_DB), '100']],
  ['RESTORE (an unchecked payload)', ['restore', `${KEY}:r`, '0', 'garbage']],
  ['PFDEBUG', ['pfdebug', 'getreg', KEY]],
]

function expectRefused(answer: Answer, what: string): void {
  const entries = Array.isArray(answer.json) ? answer.json : [answer.json]
  const shown = `${what}: ${answer.status} ${JSON.stringify(answer.json).slice(0, 300)}`
  if (!Array.isArray(answer.json)) expect(answer.status, shown).toBeGreaterThanOrEqual(400)
  expect(answer.status, shown).toBeLessThan(500)
  for (const entry of entries) {
    expect(entry.error, shown).toMatch(/^(ERR|NOPERM|EXECABORT)/)
    expect(entry.result, shown).toBeUndefined()
  }
  expect(JSON.stringify(answer.json), shown).not.toContain(SECRET)
}

describe('a token cannot leave its database', () => {
  for (const [what, command] of ESCAPES) {
    it(`refuses ${what}, alone, pipelined and in a transaction`, async () => {
      const before = await victimState()
      expectRefused(await send(ATTACKER, '/', command), `${what} (alone)`)
      expectRefused(await send(ATTACKER, '/pipeline', [command]), `${what} (pipeline)`)
      expectRefused(await send(ATTACKER, '/multi-exec', [command]), `${what} (transaction)`)
      expect(await victimState(), 'the victim and the server are unchanged').toEqual(before)
    })
  }

  it('refuses EVALSHA of a loaded script that SELECTs, and SELECT in a URL path', async () => {
    const before = await victimState()
    const load = await send(ATTACKER, '/', [
      'script',
      'load',
      `redis.call('SELECT', ${VICTIM_DB}) return redis.call('GET', KEYS[1])`,
    ])
    expect(load.status).toBe(200)
    const sha = String(load.json.result)
    expectRefused(await send(ATTACKER, '/', ['evalsha', sha, '1', KEY]), 'EVALSHA')
    expectRefused(await send(ATTACKER, '/', ['evalsha_ro', sha, '1', KEY]), 'EVALSHA_RO')
    expectRefused(await send(ATTACKER, `/select/${VICTIM_DB}`), 'GET /select')
    expectRefused(await send(ATTACKER, `/move/${KEY}/${VICTIM_DB}`), 'GET /move')
    expect(await victimState()).toEqual(before)
  })

  it('a transaction stays in the database: its script fails, its other commands stay at home', async () => {
    const before = await victimState()
    const answer = await send(ATTACKER, '/multi-exec', [
      ['set', KEY, 'from-the-transaction'],
      peek(`redis.call('SELECT', ${VICTIM_DB}) return redis.call('SET', KEYS[1], 'pwned')`),
      ['get', KEY],
    ])
    expect(answer.status).toBe(200)
    expect(answer.json[0]).toEqual({ result: 'OK' })
    expect(answer.json[1]?.error).toMatch(/^(ERR|NOPERM)/)
    expect(answer.json[2]).toEqual({ result: 'from-the-transaction' })
    expect(await victimState()).toEqual(before)
  })

  it('after a COPY (run as the copy user) the connection runs scripts as the token again', async () => {
    const before = await victimState()
    const crossCopy = peek(
      `return redis.call('COPY', KEYS[1], KEYS[1], 'DB', ${VICTIM_DB}, 'REPLACE')`
    )
    const pipeline = await send(ATTACKER, '/pipeline', [
      ['copy', KEY, `${KEY}:copy`, 'REPLACE'],
      ['eval', 'return 7', '0'],
      crossCopy,
      ['copy', KEY, `${KEY}:copy`, 'DB', String(VICTIM_DB), 'REPLACE'],
    ])
    expect(pipeline.json[0]).toEqual({ result: 1 })
    expect(pipeline.json[1], 'scripts run again after the COPY').toEqual({ result: 7 })
    expect(pipeline.json[2]?.error).toMatch(/^(ERR|NOPERM)/)
    expect(pipeline.json[3]?.error).toMatch(/^ERR Command is not available/)
    // A transaction holding a COPY runs as the copy user, which runs no scripts at all.
    const transaction = await send(ATTACKER, '/multi-exec', [
      ['copy', KEY, `${KEY}:copy`, 'REPLACE'],
      crossCopy,
    ])
    expectRefused(transaction, 'COPY then a script in a transaction')
    expect((await send(ATTACKER, '/multi-exec', [['eval', 'return 7', '0']])).json).toEqual([
      { result: 7 },
    ])
    expect((await send(ATTACKER, '/', ['get', `${KEY}:copy`])).json).toEqual({ result: 'attacker' })
    await send(ATTACKER, '/', ['del', `${KEY}:copy`])
    expect(await victimState()).toEqual(before)
  })

  it('FLUSHALL empties only the token’s own database; KEYS and DBSIZE see only it', async () => {
    const before = await victimState()
    expect((await send(ATTACKER, '/', ['keys', '*'])).json).toEqual({ result: [KEY] })
    expect((await send(ATTACKER, '/', ['flushall'])).json).toEqual({ result: 'OK' })
    expect((await send(ATTACKER, '/', ['dbsize'])).json).toEqual({ result: 0 })
    expect(await victimState()).toEqual(before)
    expect((await send(VICTIM, '/', ['get', KEY])).json).toEqual({ result: SECRET })
  })

  it('MONITOR shows the token only its own database', async () => {
    const monitor = await listen(ATTACKER, '/monitor')
    await send(VICTIM, '/', ['get', `${KEY}:victim-only`])
    await send(ATTACKER, '/', ['get', `${KEY}:attacker-only`])
    const seen = await monitor.until('attacker-only')
    expect(seen).not.toContain('victim-only')
  })
})

describe('behind an admin account other than the default user', () => {
  it('creates the token users as that account and serves the token as its own user', async () => {
    const name = `gateway-admin-${randomUUID()}`
    const password = randomUUID()
    await adminRun('ACL', 'SETUSER', name, 'reset', 'on', `>${password}`, '~*', '&*', '+@all')
    const url = new URL(REDIS_URL)
    url.username = encodeURIComponent(name)
    url.password = encodeURIComponent(password)
    const own = await startUpstashGateway({ redisUrl: url.href, tokens: { own: OWN_ADMIN_DB } })
    try {
      const call = async (body: unknown) => {
        const res = await fetch(own.url, {
          method: 'POST',
          headers: { authorization: 'Bearer own' },
          body: JSON.stringify(body),
        })
        return { status: res.status, json: await res.json() }
      }
      expect((await call(['set', KEY, 'own'])).json).toEqual({ result: 'OK' })
      const clients = String(await adminRun('CLIENT', 'LIST')).split('\n')
      const ours = clients.filter((line) => new RegExp(` db=${OWN_ADMIN_DB} `).test(line))
      expect(ours.length, clients.join('\n')).toBeGreaterThan(0)
      for (const line of ours)
        expect(line).toMatch(new RegExp(` user=upstash-gateway-db${OWN_ADMIN_DB} `))
      const selectOther = await call(peek(`redis.call('SELECT', ${VICTIM_DB}) return 1`))
      expect(selectOther.status).toBe(400)
      expect((await call(['del', KEY])).json).toEqual({ result: 1 })
    } finally {
      await own.close()
      await adminRun('ACL', 'DELUSER', name)
    }
  })
})

describe('MONITOR of database 0', () => {
  it("shows no other token's connection setup (AUTH, SELECT run in database 0)", async () => {
    const zero = await startUpstashGateway({ redisUrl: REDIS_URL, tokens: { zero: 0 } })
    const fresh = await startUpstashGateway({ redisUrl: REDIS_URL, tokens: { fresh: VICTIM_DB } })
    try {
      const monitor = await listen('zero', '/monitor', zero)
      await fetch(`${fresh.url}/get/${KEY}`, { headers: { authorization: 'Bearer fresh' } })
      await fetch(`${zero.url}/get/${KEY}:zero-done`, { headers: { authorization: 'Bearer zero' } })
      const seen = await monitor.until('zero-done')
      expect(seen).not.toMatch(/"(AUTH|SELECT)"/i)
    } finally {
      await zero.close()
      await fresh.close()
    }
  })
})

describe("a token's pub/sub channels are its own", () => {
  it('hears only its own publishers, under the names it chose', async () => {
    const channel = `news-${randomUUID()}`
    const victimHears = await listen(VICTIM, `/subscribe/${channel}`)
    const attackerHears = await listen(ATTACKER, '/psubscribe/*')
    // Each reaches one subscriber: its own token's, not the other's.
    expect((await send(ATTACKER, '/', ['publish', channel, 'from-attacker'])).json).toEqual({
      result: 1,
    })
    expect((await send(VICTIM, '/', ['publish', channel, 'from-victim'])).json).toEqual({
      result: 1,
    })
    const heard = await victimHears.until('from-victim')
    expect(heard).toContain(`message,${channel},from-victim`)
    expect(heard).not.toContain('from-attacker')
    expect(await attackerHears.until(`pmessage,*,${channel},from-attacker`)).not.toContain(
      'from-victim'
    )
  })

  it("neither lists, counts nor reaches another token's channels, scripts included", async () => {
    const channel = `news-${randomUUID()}`
    const victimHears = await listen(VICTIM, `/subscribe/${channel}`)
    const numsub = await send(VICTIM, '/', ['pubsub', 'numsub', channel])
    expect(numsub.json).toEqual({ result: [channel, 1] })
    expect((await send(ATTACKER, '/', ['pubsub', 'numsub', channel])).json).toEqual({
      result: [channel, 0],
    })
    const listed = (await send(ATTACKER, '/', ['pubsub', 'channels'])).json.result as string[]
    expect(listed).not.toContain(channel)
    expect((await send(VICTIM, '/', ['pubsub', 'channels', 'news-*'])).json.result).toContain(
      channel
    )
    expectRefused(await send(ATTACKER, '/', ['pubsub', 'numpat']), 'PUBSUB NUMPAT')
    const inScript = peek(`return redis.call('PUBLISH', 'db${VICTIM_DB}:${channel}', 'pwned')`)
    expectRefused(await send(ATTACKER, '/', inScript), 'PUBLISH to a prefixed channel in a script')
    const raw = peek(`return redis.call('PUBLISH', '${channel}', 'pwned')`)
    expectRefused(await send(ATTACKER, '/', raw), 'PUBLISH outside its prefix in a script')
    await send(VICTIM, '/', ['publish', channel, 'done'])
    expect(await victimHears.until(',done')).not.toContain('pwned')
  })
})

const streams: AbortController[] = []
afterEach(() => {
  for (const controller of streams.splice(0)) controller.abort()
})

/** Opens a server-sent event stream and collects what it hears. */
async function listen(token: string, path: string, on: RunningGateway = gateway) {
  const controller = new AbortController()
  streams.push(controller)
  const res = await fetch(on.url + path, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  })
  expect(res.status).toBe(200)
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  let heard = ''
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) return
      heard += new TextDecoder().decode(value)
    }
  })()
  // The stream answers once Redis confirmed the subscription.
  return {
    /** Waits until `text` was heard, then ends the stream and returns everything heard. */
    async until(text: string): Promise<string> {
      for (let i = 0; i < 100 && !heard.includes(text); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      controller.abort()
      expect(heard, `waiting for ${text}`).toContain(text)
      return heard
    },
  }
}
