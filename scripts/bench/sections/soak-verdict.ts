// The soak's memory verdict: did the gateways' memory stay flat after the warm-up?
import type { MemoryVerdict, SoakSample } from './soak.ts'

const MiB = 1024 * 1024
export const TOLERANCE_PERCENT = 10

/**
 * After the warm-up samples: mean of the last third against the first third. Gateways are judged
 * (heap after a forced GC within TOLERANCE_PERCENT, RSS within twice that, or under 1 MiB).
 */
export function memoryVerdicts(samples: SoakSample[], warmup: number): MemoryVerdict[] {
  const steady = samples.slice(warmup)
  const third = Math.max(1, Math.floor(steady.length / 3))
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)
  const verdict = (
    process: string,
    metric: MemoryVerdict['metric'],
    of: (s: SoakSample) => number,
    informational = false
  ): MemoryVerdict => {
    // Without a forced GC the series is a sawtooth: compare its floors (minimum of each third).
    const level = informational ? (values: number[]) => Math.min(...values) : mean
    const first = level(steady.slice(0, third).map(of))
    const last = level(steady.slice(-third).map(of))
    const growth = first > 0 ? ((last - first) / first) * 100 : 0
    const margin = metric === 'rss' ? 2 * TOLERANCE_PERCENT : TOLERANCE_PERCENT
    return {
      process,
      metric,
      firstThirdMiB: first / MiB,
      lastThirdMiB: last / MiB,
      growthPercent: growth,
      flat: growth <= margin || last - first <= MiB,
      ...(informational ? { informational } : {}),
    }
  }
  const verdicts: MemoryVerdict[] = []
  for (const [name, key] of [
    ['upstash gateway', 'upstash'],
    ['planetscale gateway', 'planetscale'],
  ] as const) {
    for (const metric of ['heapUsed', 'rss'] as const) {
      verdicts.push(verdict(name, metric, (s) => s[key][metric]))
    }
  }
  // workerd's heap cannot be collected on demand from here: its RSS is shown, not judged.
  if (steady.some((s) => s.worker.workerdRss !== undefined)) {
    verdicts.push(verdict('workerd', 'rss', (s) => s.worker.workerdRss ?? 0, true))
  }
  if (steady.some((s) => s.worker.isolateHeapUsed !== undefined)) {
    verdicts.push(verdict('Worker isolate', 'heapUsed', (s) => s.worker.isolateHeapUsed ?? 0, true))
  }
  return verdicts
}
