// Section "gateways" (issue 2): each gateway with its official client at 1 and 16 callers, next
// to the same operation sent directly (ioredis / mysql2) and to a bare node:http server that
// answers the gateway's own response bytes, loaded through the same official client (the HTTP
// floor). The load generator is this process; each server runs in a process of its own (infra/hosts.ts), so
// generator and server never share an event loop, and the three variants are loaded alike.
import { isDeepStrictEqual } from 'node:util'
import { Client } from '@planetscale/database'
import { Redis } from '@upstash/redis'
import type { Redis as IORedis } from 'ioredis'
import { createConnection, createPool } from 'mysql2/promise'
import { type Backends, BENCH_DATABASE, BENCH_REDIS_DB, redisClient } from '../infra/backends.ts'
import {
  type LoadResult,
  type LoopSamples,
  summarize as merge,
  runLoop,
} from '../infra/closed-loop.ts'
import { BareHost, type BenchGateway } from '../infra/hosts.ts'
import { EMAIL_DOMAIN } from '../infra/journey.ts'
import { cpuMs } from '../infra/procfs.ts'
import { startBenchGateways } from '../infra/stack.ts'
import { ratio } from '../infra/stats.ts'

export const GATEWAY_TARGETS = { minRpsShareOfBare: 0.6, maxP50OverheadMs: 0.5 }
const LEVELS = [1, 16]
const ROUNDS = 3
const VALUE = 'v'.repeat(100)
const GET_KEY = 'bench:gw:get'
const PK_SQL = 'SELECT id, name, email FROM users WHERE id = ?'

export type Variant = 'direct' | 'bare HTTP' | 'gateway'

export interface GatewayRow extends LoadResult {
  op: string
  variant: Variant
  callers: number
}

export interface GatewaySummary {
  op: string
  /** gateway rps / bare-HTTP rps at 16 callers */
  rpsShareOfBare: number | null
  /** gateway p50 − direct p50 at 1 caller, ms */
  p50OverheadMs: number | null
  pass: boolean
}

export interface GatewaysResult {
  rows: GatewayRow[]
  summary: GatewaySummary[]
  targets: typeof GATEWAY_TARGETS
}

interface Op {
  name: string
  /** raw request to the gateway whose response the bare server then replays */
  capture: () => Promise<string>
  direct: (callers: number) => Promise<{ call: (i: number) => Promise<unknown>; close(): void }>
  viaHttp: (baseUrl: string, callers: number) => (i: number) => Promise<unknown>
}

async function capture(url: string, headers: Record<string, string>, body: string) {
  const res = await fetch(url, { method: 'POST', headers, body })
  const text = await res.text()
  if (!res.ok) throw new Error(`capture ${url}: HTTP ${res.status} ${text.slice(0, 200)}`)
  return text
}

/** What the two Redis clients (ioredis direct, @upstash/redis over HTTP) have in common here. */
interface KeyValue {
  get(key: string): Promise<unknown>
  set(key: string, value: string): Promise<unknown>
}

function redisOps(backends: Backends, upstash: BenchGateway): Op[] {
  const token = backends.upstashToken
  const headers = { authorization: `Bearer ${token}`, 'upstash-encoding': 'base64' }
  const setKey = (i: number) => `bench:gw:set:${i}`
  const op = (
    name: string,
    command: string[],
    run: (c: KeyValue, i: number) => Promise<unknown>
  ): Op => ({
    name,
    capture: () => capture(`${upstash.url}/pipeline`, headers, JSON.stringify([command])),
    direct: async (callers) => {
      const clients = Array.from({ length: callers }, () =>
        redisClient(backends.redisUrl, BENCH_REDIS_DB)
      )
      return {
        call: (i) => run(clients[i] as IORedis, i),
        close: () => {
          for (const client of clients) client.disconnect()
        },
      }
    },
    // One client per caller, default options (auto-pipelining on), as each Worker request has its own.
    viaHttp: (url, callers) => {
      const clients = Array.from({ length: callers }, () => new Redis({ url, token }))
      return (i) => run(clients[i] as Redis, i)
    },
  })
  return [
    op('upstash GET', ['get', GET_KEY], (c) => c.get(GET_KEY)),
    op('upstash SET', ['set', setKey(0), VALUE], (c, i) => c.set(setKey(i), VALUE)),
  ]
}

function sqlOp(backends: Backends, planetscale: BenchGateway, userId: string): Op {
  const password = backends.dbPassword
  return {
    name: 'planetscale SELECT by PK',
    capture: () =>
      capture(
        `${planetscale.url}/psdb.v1alpha1.Database/Execute`,
        {
          'content-type': 'application/json',
          authorization: `Basic ${btoa(`bench:${password}`)}`,
        },
        JSON.stringify({ query: PK_SQL.replace('?', userId), session: null })
      ),
    direct: async (callers) => {
      const pool = createPool({
        uri: backends.mysqlUrl,
        database: BENCH_DATABASE,
        connectionLimit: callers,
      })
      return { call: () => pool.query(PK_SQL, [userId]), close: () => void pool.end() }
    },
    viaHttp: (url, callers) => {
      const withAuth = url.replace('://', `://bench:${password}@`)
      const c = Array.from({ length: callers }, () => new Client({ url: withAuth }))
      return (i) => (c[i] as Client).execute(PK_SQL, [userId])
    },
  }
}

export async function benchGateways(
  backends: Backends,
  durationMs: number
): Promise<GatewaysResult> {
  // As many MySQL connections as mysql2-direct gets at 16 callers.
  const gateways = await startBenchGateways(backends, { planetscalePoolSize: Math.max(...LEVELS) })
  const { upstash, planetscale } = gateways
  const bare = await BareHost.start()
  const rows: GatewayRow[] = []
  try {
    const seed = redisClient(backends.redisUrl, BENCH_REDIS_DB)
    await seed.set(GET_KEY, VALUE)
    await seed.quit()
    const mysql = await createConnection({ uri: backends.mysqlUrl, database: BENCH_DATABASE })
    const [inserted] = await mysql.query(
      'INSERT INTO users (email, name, password_hash) VALUES (?, ?, ?)',
      [`gateway-bench@${EMAIL_DOMAIN}`, 'Gateway Bench', 'x']
    )
    await mysql.end()
    const userId = String((inserted as { insertId: number }).insertId)

    for (const op of [...redisOps(backends, upstash), sqlOp(backends, planetscale, userId)]) {
      const gatewayUrl = op.name.startsWith('upstash') ? upstash.url : planetscale.url
      await bare.setBody(await op.capture())
      // The floor must answer what the gateway answers, or it is not the same work for the client.
      const [fromGateway, fromBare] = await Promise.all([
        op.viaHttp(gatewayUrl, 1)(0),
        op.viaHttp(bare.url, 1)(0),
      ])
      const comparable = (v: unknown) => (v && typeof v === 'object' && 'rows' in v ? v.rows : v)
      if (!isDeepStrictEqual(comparable(fromGateway), comparable(fromBare))) {
        throw new Error(`${op.name}: the bare server's replayed answer differs from the gateway's`)
      }
      for (const callers of LEVELS) {
        const direct = await op.direct(callers)
        const server = op.name.startsWith('upstash') ? upstash : planetscale
        const variants: [Variant, (i: number) => Promise<unknown>, number | undefined][] = [
          ['direct', direct.call, undefined],
          ['bare HTTP', op.viaHttp(bare.url, callers), bare.pid],
          ['gateway', op.viaHttp(gatewayUrl, callers), server.pid],
        ]
        // Short interleaved rounds, rotating the order, so background load on a shared machine
        // falls on all three variants alike.
        const runs = new Map<Variant, LoopSamples[]>(variants.map(([v]) => [v, []]))
        for (let round = 0; round < ROUNDS; round++) {
          for (let k = 0; k < variants.length; k++) {
            const [variant, call, pid] = variants[
              (round + k) % variants.length
            ] as (typeof variants)[0]
            const samples = await runLoop({
              callers,
              durationMs: durationMs / ROUNDS,
              warmupMs: Math.min(250, durationMs / ROUNDS / 4),
              call,
              cpu: {
                client: () => {
                  const { user, system } = process.cpuUsage()
                  return (user + system) / 1000
                },
                ...(pid === undefined ? {} : { server: () => cpuMs(pid) }),
              },
            })
            runs.get(variant)?.push(samples)
          }
        }
        for (const [variant] of variants) {
          rows.push({ op: op.name, variant, callers, ...merge(runs.get(variant) ?? []) })
        }
        direct.close()
      }
    }
  } finally {
    await Promise.all([gateways.close(), bare.close()])
  }
  return { rows, summary: summarize(rows), targets: GATEWAY_TARGETS }
}

function summarize(rows: GatewayRow[]): GatewaySummary[] {
  const ops = [...new Set(rows.map((r) => r.op))]
  const find = (op: string, variant: Variant, callers: number) =>
    rows.find((r) => r.op === op && r.variant === variant && r.callers === callers)
  return ops.map((op) => {
    const share = ratio(find(op, 'gateway', 16)?.rps, find(op, 'bare HTTP', 16)?.rps)
    const g1 = find(op, 'gateway', 1)
    const d1 = find(op, 'direct', 1)
    const overhead = g1 && d1 ? g1.p50ms - d1.p50ms : null
    const pass =
      share !== null &&
      overhead !== null &&
      share >= GATEWAY_TARGETS.minRpsShareOfBare &&
      overhead <= GATEWAY_TARGETS.maxP50OverheadMs
    return { op, rpsShareOfBare: share, p50OverheadMs: overhead, pass }
  })
}
