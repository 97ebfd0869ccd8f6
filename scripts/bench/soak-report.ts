// The soak's memory verdict and its terminal tables.
import type { MemoryVerdict, SoakResult, SoakSample } from './soak.ts'
import { printTable, say } from './table.ts'

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

export function printSoak(result: SoakResult): void {
  const mib = (bytes: number | undefined) => (bytes === undefined ? null : bytes / MiB)
  printTable(
    `Soak: ${result.minutes} min, ${result.users} users, a sample every ${result.sampleSeconds} s (memory after forced GC)`,
    [
      { header: 't s' },
      { header: 'req' },
      { header: 'err' },
      { header: 'req/s', digits: 1 },
      { header: 'p50 ms', digits: 0 },
      { header: 'p99 ms', digits: 0 },
      { header: 'upstash heap MiB', digits: 1 },
      { header: 'upstash rss MiB', digits: 1 },
      { header: 'ps heap MiB', digits: 1 },
      { header: 'ps rss MiB', digits: 1 },
      { header: 'workerd rss MiB', digits: 1 },
      { header: 'isolate heap MiB', digits: 1 },
      { header: 'redis keys' },
    ],
    result.samples.map((s) => [
      s.t,
      s.requests,
      s.errors,
      s.rps,
      s.p50ms,
      s.p99ms,
      mib(s.upstash.heapUsed),
      mib(s.upstash.rss),
      mib(s.planetscale.heapUsed),
      mib(s.planetscale.rss),
      mib(s.worker.workerdRss),
      mib(s.worker.isolateHeapUsed),
      s.redisKeys,
    ])
  )
  printTable(
    `Memory verdict (after ${result.warmupSamples} warm-up samples: mean of the last third vs the first; flat = heap within ${result.tolerancePercent}%, RSS within ${2 * result.tolerancePercent}%, or under 1 MiB)`,
    [
      { header: 'process' },
      { header: 'metric' },
      { header: 'first third MiB', digits: 2 },
      { header: 'last third MiB', digits: 2 },
      { header: 'growth', digits: 1, suffix: '%' },
      { header: 'verdict' },
    ],
    result.verdicts.map((v) => [
      v.process,
      v.metric,
      v.firstThirdMiB,
      v.lastThirdMiB,
      v.growthPercent,
      `${v.flat ? 'flat' : 'GROWING'}${v.informational ? ' (no GC: floors compared; not judged)' : ''}`,
    ])
  )
  const { requests, errors, journeys } = result.totals
  say(
    `soak totals: ${requests} requests, ${errors} errors, ${journeys} complete journeys; memory ${result.flat ? 'stayed flat' : 'GREW'}`
  )
}
