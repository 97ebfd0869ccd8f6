// Section "distance" (issue 9): what a far backend costs each route. One connection, sequential
// requests, p50/p99 per route at 0 ms and at a round trip of --rtt: ours and the floor through
// gateways started with --latency-ms (one round trip per backend request), the tutorial with its
// Redis and MariaDB behind TCP proxies delaying each chunk half of it each way. (p50 at rtt − p50
// at 0) / rtt is the number of round trips on the critical path; for ours the gateways' own
// timelines also give it directly.
import type { Backends } from '../infra/backends.ts'
import { type DelayProxy, startDelayProxy } from '../infra/delay.ts'
import { tutorialFailed } from '../infra/journey.ts'
import { OneConnection } from '../infra/one-connection.ts'
import { type RunningPeer, startPeer } from '../infra/peer.ts'
import { startOursAndFloor } from '../infra/stack.ts'
import { percentiles } from '../infra/stats.ts'
import { measureDepth, PROBES } from './distance-depth.ts'
import { DISTANCE_ROUTES, type DistanceServer, type RouteContext } from './distance-routes.ts'
import { accountsFor, type Role, seedAccounts } from './scenarios.ts'

const WARMUP_REQUESTS = 5

export interface Timing {
  p50ms: number
  p99ms: number
  requests: number
}

export interface DistanceRow {
  route: string
  server: DistanceServer
  atZero: Timing
  atRtt: Timing
  /** p50 at rtt − p50 at 0 */
  deltaP50Ms: number
  /** deltaP50Ms / rtt: round trips on the critical path */
  roundTrips: number
  /** ours: the longest chain of sequential backend requests in each probe (gateway timelines) */
  measuredDepth?: number[]
  targetDepth?: string
}

export interface DistanceResult {
  rttMs: number
  requests: number
  /** unmeasured requests before them */
  warmup: number
  /** probe requests per route for the depth read from the gateways */
  probes: number
  tutorial: string | null
  rows: DistanceRow[]
}

export interface DistanceOptions {
  backends: Backends
  mainModule: string
  root: string
  rttMs: number
  requests: number
  /** undefined: the tutorial behind delay proxies; anything else: no tutorial (an external peer cannot be delayed) */
  peer: string | undefined
  log: (line: string) => void
}

type Timings = Map<string, Timing>
const key = (route: string, server: DistanceServer) => `${route}\u0000${server}`

interface Target {
  server: DistanceServer
  url: string
  cookies: Record<Role, string>
}

async function timeRoutes(
  targets: Target[],
  accounts: RouteContext['accounts'],
  run: string,
  options: DistanceOptions
): Promise<Timings> {
  const timings: Timings = new Map()
  for (const target of targets) {
    const client = new OneConnection(target.url)
    const context: RouteContext = { ...target, client, accounts, run: `${run}-${target.server}` }
    try {
      for (const route of DISTANCE_ROUTES.filter((r) => r.servers.includes(target.server))) {
        const latencies: number[] = []
        for (let n = 0; n < WARMUP_REQUESTS + options.requests; n++) {
          const response = await client.send(await route.prepare(context, n))
          if (response.status >= 400 || tutorialFailed(response.body)) {
            throw new Error(
              `${target.server} ${route.name}: HTTP ${response.status} ${response.body.slice(0, 200)}`
            )
          }
          if (n >= WARMUP_REQUESTS) latencies.push(response.ms)
        }
        timings.set(key(route.name, target.server), {
          ...percentiles(latencies),
          requests: latencies.length,
        })
      }
    } finally {
      client.close()
    }
  }
  return timings
}

/** One phase: every server started for this round trip, timed, then stopped. */
async function phase(rttMs: number, options: DistanceOptions) {
  const { backends, log } = options
  const run = `${Date.now().toString(36)}-${rttMs}`
  const accounts = accountsFor(run)
  let cookies: Record<Role, string> | undefined
  const stack = await startOursAndFloor({ ...options, latencyMs: rttMs }, async (url) => {
    cookies = await seedAccounts(url, accounts)
    return { reader: accounts.reader.user_email, writer: accounts.writer.user_email }
  })
  const proxies: DelayProxy[] = []
  let tutorial: RunningPeer | undefined
  try {
    const seeded = cookies as Record<Role, string>
    const targets: Target[] = [
      { server: 'ours', url: stack.ours.url, cookies: seeded },
      { server: 'floor', url: stack.floor.host.url, cookies: seeded },
    ]
    if (options.peer === undefined) {
      proxies.push(await startDelayProxy(backends.redisUrl, 6379, rttMs / 2))
      proxies.push(await startDelayProxy(backends.mysqlUrl, 3306, rttMs / 2))
      const [redis, mysql] = proxies as [DelayProxy, DelayProxy]
      tutorial = await startPeer(undefined, options, { redis, mysql })
    }
    if (tutorial) {
      const tutorialCookies = await seedAccounts(tutorial.url, accounts)
      targets.push({ server: 'tutorial', url: tutorial.url, cookies: tutorialCookies })
    }
    log(`distance: ${rttMs} ms round trip, ${targets.map((t) => t.server).join(', ')}`)
    const timings = await timeRoutes(targets, accounts, run, options)
    const depths =
      rttMs > 0 ? await measureDepth(stack, seeded, accounts, `${run}-depth`) : new Map()
    return { timings, depths, tutorial: tutorial?.label ?? null }
  } finally {
    await tutorial?.stop()
    await Promise.all(proxies.map((p) => p.close()))
    await stack.close()
  }
}

export async function benchDistance(options: DistanceOptions): Promise<DistanceResult> {
  const zero = await phase(0, options)
  const far = await phase(options.rttMs, options)
  const rows: DistanceRow[] = []
  for (const route of DISTANCE_ROUTES) {
    for (const server of route.servers) {
      const atZero = zero.timings.get(key(route.name, server))
      const atRtt = far.timings.get(key(route.name, server))
      if (!atZero || !atRtt) continue
      const deltaP50Ms = atRtt.p50ms - atZero.p50ms
      rows.push({
        route: route.name,
        server,
        atZero,
        atRtt,
        deltaP50Ms,
        roundTrips: deltaP50Ms / options.rttMs,
        ...(server === 'ours'
          ? { measuredDepth: far.depths.get(route.name), targetDepth: route.targetDepth }
          : {}),
      })
    }
  }
  return {
    rttMs: options.rttMs,
    requests: options.requests,
    warmup: WARMUP_REQUESTS,
    probes: PROBES,
    tutorial: far.tutorial,
    rows,
  }
}
