// The depth of one request, read from the gateways' timelines (GET /__stats): how many backend
// requests ran one after another, and how many of those went to the far primary region.
import type { GatewayStats } from './hosts.ts'
import { settle } from './http-load.ts'

/** A backend request as a gateway recorded it ([start, end] in its clock), and what it weighs. */
export interface Span {
  start: number
  end: number
  weight: number
}

/**
 * The heaviest run of spans that can be put in sequence, each following the one before: with
 * every weight 1, the longest chain. Requests that overlap ran concurrently and add no depth.
 * Each gateway stamps times with its own process's clock, and two processes' clocks may disagree
 * by a millisecond: more than the gap between one answer and the request it lets the Worker send.
 * So a request follows another once it starts past the other's midpoint; concurrent requests start
 * together. (Meaningful with added latency, which makes every span at least that long.)
 */
export function heaviestChain(spans: Span[]): number {
  const byStart = [...spans].sort((a, b) => a.start - b.start)
  const chain: number[] = []
  byStart.forEach((next, j) => {
    let best = 0
    for (let i = 0; i < j; i++) {
      const first = byStart[i] as Span
      if (next.start >= (first.start + first.end) / 2) best = Math.max(best, chain[i] as number)
    }
    chain.push(best + next.weight)
  })
  return Math.max(0, ...chain)
}

/** A gateway as the probe reads it; `region` for its answers that name no copy of their own. */
export interface Timeline {
  stats(): Promise<GatewayStats>
  region: 'primary' | 'replica'
}

/** The spans one call made on the gateways, weighing 1 each answer of the primary, else 0. */
export async function farSpans(gateways: Timeline[], call: () => Promise<unknown>) {
  const readings = () => Promise.all(gateways.map((g) => g.stats()))
  const counters = async () => (await readings()).map((stats) => stats.requests)
  // Whatever came before has ended before the first reading, and the call's work before the last.
  await settle(counters)
  const before = await readings()
  await call()
  await settle(counters)
  const after = await readings()
  return after.flatMap((stats, g): Span[] => {
    const count = stats.requests - (before[g]?.requests ?? stats.requests)
    if (count <= 0) return []
    const targets = stats.targets?.slice(-count)
    return stats.recent.slice(-count).map(([start, end], i) => {
      const region = targets?.[i] ?? gateways[g]?.region
      return { start, end, weight: region === 'primary' ? 1 : 0 }
    })
  })
}
