// Section "gateways": each gateway with its official client at 1 and 16 callers, next
// to the same operation sent directly (ioredis / mysql2) and to a bare node:http server that
// answers the gateway's own response bytes, loaded through the same official client (the HTTP
// floor). The load generator is this process, a closed loop; each server runs in a process of its
// own (infra/hosts.ts), so generator and server never share an event loop.
import { isDeepStrictEqual } from 'node:util'
import { Client } from '@planetscale/database'
import { Redis } from '@upstash/redis'
import { createPool } from 'mysql2/promise'
import type { SectionContext } from '../context.ts'
import { type Backends, BENCH_DATABASE, mysqlConnection, redisClient } from '../infra/backends.ts'
import { type Gateway, startServer } from '../infra/hosts.ts'
import { cpuMeter, perRequest } from '../infra/procfs.ts'
import { startBenchGateways } from '../infra/stack.ts'
import { ascending, quantile, ratio } from '../infra/stats.ts'
import { EMAIL_DOMAIN } from '../infra/visitor.ts'

const TARGETS = { minRpsShareOfBare: 0.6, maxP50OverheadMs: 0.5 }
const LEVELS = [1, 16]
const ROUNDS = 3
const VALUE = 'v'.repeat(100)
const GET_KEY = 'bench:gw:get'
const PK_SQL = 'SELECT id, name, email FROM users WHERE id = ?'

type Variant = 'direct' | 'bare HTTP' | 'gateway'
type Call = (caller: number) => Promise<unknown>

interface Op {
  name: string
  gateway: Gateway
  /** a raw request to the gateway (path, headers, body): the bare server replays its answer */
  capture: [string, Record<string, string>, string]
  direct(callers: number): { call: Call; close(): void }
  /** one official client per caller, default options, as each Worker request has its own */
  viaHttp(baseUrl: string, callers: number): Call
}

/** What the two Redis clients (ioredis direct, @upstash/redis over HTTP) have in common here. */
interface KeyValue {
  get(key: string): Promise<unknown>
  set(key: string, value: string): Promise<unknown>
}

function redisOps(backends: Backends, gateway: Gateway): Op[] {
  const token = backends.upstashToken
  const headers = { authorization: `Bearer ${token}`, 'upstash-encoding': 'base64' }
  const setKey = (i: number) => `bench:gw:set:${i}`
  const op = (name: string, command: string[], run: (c: KeyValue, i: number) => unknown): Op => ({
    name,
    gateway,
    capture: ['/pipeline', headers, JSON.stringify([command])],
    direct: (callers) => {
      const clients = Array.from({ length: callers }, () => redisClient(backends.redisUrl))
      return {
        call: async (i) => run(clients[i] as KeyValue, i),
        close: () => {
          for (const client of clients) client.disconnect()
        },
      }
    },
    viaHttp: (url, callers) => {
      const clients = Array.from({ length: callers }, () => new Redis({ url, token }))
      return async (i) => run(clients[i] as Redis, i)
    },
  })
  return [
    op('upstash GET', ['get', GET_KEY], (c) => c.get(GET_KEY)),
    op('upstash SET', ['set', setKey(0), VALUE], (c, i) => c.set(setKey(i), VALUE)),
  ]
}

function sqlOp(backends: Backends, gateway: Gateway, userId: string): Op {
  const auth = `bench:${backends.dbPassword}`
  return {
    name: 'planetscale SELECT by PK',
    gateway,
    capture: [
      '/psdb.v1alpha1.Database/Execute',
      { 'content-type': 'application/json', authorization: `Basic ${btoa(auth)}` },
      JSON.stringify({ query: PK_SQL.replace('?', userId), session: null }),
    ],
    direct: (callers) => {
      const pool = createPool({
        uri: backends.mysqlUrl,
        database: BENCH_DATABASE,
        connectionLimit: callers,
      })
      return { call: () => pool.query(PK_SQL, [userId]), close: () => void pool.end() }
    },
    viaHttp: (url, callers) => {
      const clients = Array.from(
        { length: callers },
        () => new Client({ url: url.replace('://', `://${auth}@`) })
      )
      return (i) => (clients[i] as Client).execute(PK_SQL, [userId])
    },
  }
}

type GatewayRow = { op: string; variant: Variant; callers: number } & ReturnType<typeof summary>
export type GatewaysResult = Awaited<ReturnType<typeof benchGateways>>

export async function benchGateways({ backends, options }: SectionContext) {
  // As many MySQL connections as mysql2-direct gets at 16 callers.
  const gateways = await startBenchGateways(backends, { poolSize: Math.max(...LEVELS) })
  const bare = await startServer(['bare'])
  const rows: GatewayRow[] = []
  try {
    const redis = redisClient(backends.redisUrl)
    await redis.set(GET_KEY, VALUE).finally(() => redis.quit())
    const mysql = await mysqlConnection(backends.mysqlUrl)
    const [inserted] = await mysql
      .query('INSERT INTO users (email, name, password_hash) VALUES (?, ?, ?)', [
        `gateway-bench@${EMAIL_DOMAIN}`,
        'Gateway Bench',
        'x',
      ])
      .finally(() => mysql.end())
    const userId = String((inserted as { insertId: number }).insertId)
    const ops = [
      ...redisOps(backends, gateways.upstash),
      sqlOp(backends, gateways.planetscale, userId),
    ]
    for (const op of ops) {
      const [path, headers, body] = op.capture
      const captured = await fetch(`${op.gateway.url}${path}`, { method: 'POST', headers, body })
      const answer = await captured.text()
      if (!captured.ok) {
        throw new Error(`${op.name}: capture: HTTP ${captured.status} ${answer.slice(0, 200)}`)
      }
      await fetch(`${bare.url}/__body`, { method: 'PUT', body: answer })
      // The floor must answer what the gateway answers, or it is not the same work for the client.
      const [fromGateway, fromBare] = await Promise.all([
        op.viaHttp(op.gateway.url, 1)(0),
        op.viaHttp(bare.url, 1)(0),
      ])
      const comparable = (v: unknown) => (v && typeof v === 'object' && 'rows' in v ? v.rows : v)
      if (!isDeepStrictEqual(comparable(fromGateway), comparable(fromBare))) {
        throw new Error(`${op.name}: the bare server's replayed answer differs from the gateway's`)
      }
      for (const callers of LEVELS) {
        const direct = op.direct(callers)
        const variants: [Variant, Call, number | undefined][] = [
          ['direct', direct.call, undefined],
          ['bare HTTP', op.viaHttp(bare.url, callers), bare.pid],
          ['gateway', op.viaHttp(op.gateway.url, callers), op.gateway.pid],
        ]
        // Short interleaved rounds, rotating the order, so background load on a shared machine
        // falls on all three variants alike.
        const tallies = variants.map((): Tally => ({ latencies: [], errors: 0, ms: 0, cpu: {} }))
        for (let round = 0; round < ROUNDS; round++) {
          for (let k = 0; k < variants.length; k++) {
            const i = (round + k) % variants.length
            const [, call, pid] = variants[i] as (typeof variants)[number]
            const ms = (options.durationS * 1000) / ROUNDS
            await runLoop(tallies[i] as Tally, callers, ms, call, pid)
          }
        }
        variants.forEach(([variant], i) => {
          rows.push({ op: op.name, variant, callers, ...summary(tallies[i] as Tally) })
        })
        direct.close()
      }
    }
  } finally {
    await Promise.all([gateways.close(), bare.stop()])
  }
  return { rows, summary: summarize(rows), targets: TARGETS }
}

/** A variant's runs so far: latencies, errors, measured ms, CPU ms by clock (client, server). */
interface Tally {
  latencies: number[]
  errors: number
  ms: number
  cpu: Record<string, number>
  firstError?: string
}

/**
 * `callers` each awaiting its call before the next, for `ms` after a short warm-up, added to the
 * tally with the CPU time this process (the client) and the server spent meanwhile.
 */
async function runLoop(tally: Tally, callers: number, ms: number, call: Call, serverPid?: number) {
  const loop = async (forMs: number, measured: boolean) => {
    const until = performance.now() + forMs
    const caller = async (id: number) => {
      for (let began = performance.now(); began < until; began = performance.now()) {
        let failed = false
        try {
          await call(id)
        } catch (error) {
          failed = true
          tally.firstError ??= error instanceof Error ? error.message : String(error)
        }
        if (!measured) continue
        if (failed) tally.errors++
        tally.latencies.push(performance.now() - began)
      }
    }
    await Promise.all(Array.from({ length: callers }, (_, id) => caller(id)))
  }
  await loop(Math.min(250, ms / 4), false)
  const cpu = cpuMeter({ client: process.pid, ...(serverPid ? { server: serverPid } : {}) })
  await loop(ms, true)
  tally.ms += ms
  for (const [name, spent] of Object.entries(cpu()))
    tally.cpu[name] = (tally.cpu[name] ?? 0) + spent
}

/** Requests over the summed measured time, pooled percentiles, CPU per request. */
function summary({ latencies, errors, ms, cpu, firstError }: Tally) {
  const sorted = ascending(latencies)
  return {
    cpuMsPerRequest: perRequest(cpu, sorted.length),
    requests: sorted.length,
    errors,
    rps: sorted.length / (ms / 1000),
    p50ms: quantile(sorted, 0.5),
    p99ms: quantile(sorted, 0.99),
    firstError,
  }
}

/** Per operation: gateway/bare req/s at 16 callers, and the gateway's p50 over direct at 1. */
function summarize(rows: GatewayRow[]) {
  const find = (op: string, variant: Variant, callers: number) =>
    rows.find((r) => r.op === op && r.variant === variant && r.callers === callers)
  return [...new Set(rows.map((r) => r.op))].map((op) => {
    const share = ratio(find(op, 'gateway', 16)?.rps, find(op, 'bare HTTP', 16)?.rps)
    const [g1, d1] = [find(op, 'gateway', 1), find(op, 'direct', 1)]
    const overhead = g1 && d1 ? g1.p50ms - d1.p50ms : null
    const pass =
      share !== null &&
      overhead !== null &&
      share >= TARGETS.minRpsShareOfBare &&
      overhead <= TARGETS.maxP50OverheadMs
    return { op, rpsShareOfBare: share, p50OverheadMs: overhead, pass }
  })
}
