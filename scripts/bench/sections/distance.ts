// Section "distance" (issue 9): what a far backend costs each route. One connection, sequential
// requests, p50/p99 per route at 0 ms and at a round trip of --rtt: ours and the floor through
// gateways started with --latency-ms (one round trip per backend request), the tutorial with its
// Redis and MariaDB behind TCP proxies delaying each chunk half of it each way. (p50 at rtt − p50
// at 0) / rtt is the number of round trips on the critical path; for ours the gateways' own
// timelines also give it directly.

import type { GatewayStats } from '../infra/hosts.ts'
import { settle } from '../infra/http-load.ts'
import { type BenchGateways, startTargets } from '../infra/stack.ts'
import { percentiles } from '../infra/stats.ts'
import { type HttpResponse, tutorialFailed, Visitor } from '../infra/visitor.ts'
import type { SectionContext } from '../registry.ts'
import { DISTANCE_ROUTES, type DistanceServer, type RouteContext } from './distance-routes.ts'

const WARMUP_REQUESTS = 5
const PROBES = 3

export type DistanceResult = Awaited<ReturnType<typeof benchDistance>>
export type DistanceRow = DistanceResult['rows'][number]

export async function benchDistance(c: SectionContext) {
  const { rttMs, requests } = c.options
  const zero = await phase(c, 0)
  const far = await phase(c, rttMs)
  const rows = DISTANCE_ROUTES.flatMap((route) =>
    route.servers.flatMap((server) => {
      const atZero = zero.timings.get(`${route.name} ${server}`)
      const atRtt = far.timings.get(`${route.name} ${server}`)
      if (!atZero || !atRtt) return []
      const deltaP50Ms = atRtt.p50ms - atZero.p50ms
      const ours = { measuredDepth: far.depths.get(route.name), targetDepth: route.targetDepth }
      return [
        {
          route: route.name,
          server,
          atZero,
          atRtt,
          deltaP50Ms,
          roundTrips: deltaP50Ms / rttMs,
          ...(server === 'ours' ? ours : {}),
        },
      ]
    })
  )
  return { rttMs, requests, warmup: WARMUP_REQUESTS, probes: PROBES, tutorial: far.tutorial, rows }
}

/** One phase: every server started for this round trip, timed, then stopped. */
async function phase(c: SectionContext, rttMs: number) {
  const stack = await startTargets(c, { latencyMs: rttMs, peerDelayMs: rttMs / 2 })
  const run = `${Date.now().toString(36)}-${rttMs}`
  const timings = new Map<string, ReturnType<typeof percentiles> & { requests: number }>()
  let depths = new Map<string, number[]>()
  try {
    const servers = stack.targets.map((t) => ({
      ...t,
      server: (t.server === 'peer' ? 'tutorial' : t.server) as DistanceServer,
    }))
    c.log(`distance: ${rttMs} ms round trip, ${servers.map((t) => t.server).join(', ')}`)
    for (const target of servers) {
      const visitor = new Visitor(target.url)
      const { accounts } = stack
      const context: RouteContext = { ...target, visitor, accounts, run: `${run}-${target.server}` }
      try {
        for (const route of DISTANCE_ROUTES.filter((r) => r.servers.includes(target.server))) {
          const latencies: number[] = []
          for (let n = 0; n < WARMUP_REQUESTS + c.options.requests; n++) {
            const response = check(
              context,
              route.name,
              await visitor.send(await route.prepare(context, n))
            )
            if (n >= WARMUP_REQUESTS) latencies.push(response.ms)
          }
          const key = `${route.name} ${target.server}`
          timings.set(key, { ...percentiles(latencies), requests: latencies.length })
        }
        if (target.server === 'ours' && rttMs > 0) {
          depths = await measureDepth({ ...context, run: `${run}-depth` }, stack.gateways)
        }
      } finally {
        visitor.close()
      }
    }
    return { timings, depths, tutorial: stack.peer }
  } finally {
    await stack.close()
  }
}

function check(c: RouteContext, route: string, response: HttpResponse): HttpResponse {
  if (response.status >= 400 || tutorialFailed(response.body)) {
    throw new Error(`${c.server} ${route}: HTTP ${response.status} ${response.body.slice(0, 200)}`)
  }
  return response
}

/** Route name → the depth each of PROBES requests of ours showed, one request at a time. */
async function measureDepth(c: RouteContext, gateways: BenchGateways) {
  const readings = () => Promise.all([gateways.upstash.stats(), gateways.planetscale.stats()])
  const depths = new Map<string, number[]>()
  for (const route of DISTANCE_ROUTES.filter((r) => r.servers.includes('ours'))) {
    const chains: number[] = []
    for (let n = 0; n < PROBES; n++) {
      const request = await route.prepare(c, n)
      // Whatever the preparation started has ended before the first reading.
      await settle(gateways.counters)
      const before = await readings()
      check(c, route.name, await c.visitor.send(request))
      await settle(gateways.counters)
      const after = await readings()
      chains.push(longestChain(before.flatMap((stats, i) => since(stats, after[i] ?? stats))))
    }
    depths.set(route.name, chains)
  }
  return depths
}

type Interval = [number, number]

/** The requests a gateway recorded ([start, end] in its clock) between two readings of its stats. */
function since(before: GatewayStats, after: GatewayStats): Interval[] {
  const count = after.requests - before.requests
  return count > 0 ? after.recent.slice(-count) : []
}

/**
 * The most intervals that can be put in sequence, each following the one before. Requests that
 * overlap ran concurrently and add no depth. Each gateway stamps times with its own process's
 * clock, and two processes' clocks may disagree by a millisecond: more than the gap between one
 * answer and the request it lets the Worker send. So a request follows another once it starts
 * past the other's midpoint; concurrent requests start together. (Meaningful with --latency-ms,
 * which makes every interval at least that long.)
 */
function longestChain(intervals: Interval[]): number {
  const byStart = [...intervals].sort((a, b) => a[0] - b[0])
  const chain: number[] = []
  byStart.forEach((next, j) => {
    let best = 0
    for (let i = 0; i < j; i++) {
      const first = byStart[i] as Interval
      if (next[0] >= (first[0] + first[1]) / 2) best = Math.max(best, chain[i] as number)
    }
    chain.push(best + 1)
  })
  return Math.max(0, ...chain)
}
