// Depth read from the gateways' own timelines (GET /__stats: [start, end] of recent requests):
// the longest chain of backend requests that ran one after another, each starting after the
// previous one ended. Requests that overlap ran concurrently and add no depth.
import type { GatewayStats } from './hosts.ts'

export type Interval = [number, number]

/** The requests a gateway recorded between two readings of its stats. */
export function intervalsBetween(before: GatewayStats, after: GatewayStats): Interval[] {
  const count = after.requests - before.requests
  return count > 0 ? after.recent.slice(-count) : []
}

/** The most intervals that can be put in sequence, none overlapping the next. */
export function longestChain(intervals: Interval[]): number {
  const byEnd = [...intervals].sort((a, b) => a[1] - b[1])
  const chain: number[] = []
  byEnd.forEach(([start], j) => {
    let best = 0
    for (let i = 0; i < j; i++) {
      if ((byEnd[i] as Interval)[1] <= start) best = Math.max(best, chain[i] as number)
    }
    chain.push(best + 1)
  })
  return Math.max(0, ...chain)
}
