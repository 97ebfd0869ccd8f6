// Depth read from the gateways' own timelines (GET /__stats: [start, end] of recent requests):
// the longest chain of backend requests that ran one after another. Requests that overlap ran
// concurrently and add no depth.
import type { GatewayStats } from './hosts.ts'

export type Interval = [number, number]

/** The requests a gateway recorded between two readings of its stats. */
export function intervalsBetween(before: GatewayStats, after: GatewayStats): Interval[] {
  const count = after.requests - before.requests
  return count > 0 ? after.recent.slice(-count) : []
}

/**
 * `next` came after `first`. Each gateway stamps times with its own process's clock, and two
 * processes' clocks may disagree by a millisecond: more than the gap between one answer and the
 * request it lets the Worker send. So a request follows another once it starts past the other's
 * midpoint; concurrent requests start together. (Meaningful with --latency-ms, which makes every
 * interval at least that long.)
 */
const follows = (first: Interval, next: Interval) => next[0] >= (first[0] + first[1]) / 2

/** The most intervals that can be put in sequence, each following the one before. */
export function longestChain(intervals: Interval[]): number {
  const byStart = [...intervals].sort((a, b) => a[0] - b[0])
  const chain: number[] = []
  byStart.forEach((interval, j) => {
    let best = 0
    for (let i = 0; i < j; i++) {
      if (follows(byStart[i] as Interval, interval)) best = Math.max(best, chain[i] as number)
    }
    chain.push(best + 1)
  })
  return Math.max(0, ...chain)
}
