// Terminal tables and charts of the soak section.
import type { SoakResult } from '../sections/soak.ts'
import { lineChart } from './charts.ts'
import { table } from './table.ts'

const MiB = 1024 * 1024

export function soakText(result: SoakResult): string[] {
  const out: string[] = []
  const mib = (bytes: number | undefined) => (bytes === undefined ? null : bytes / MiB)
  out.push(
    table(
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
  )
  out.push(
    table(
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
  )
  const { requests, errors, journeys } = result.totals
  out.push(
    `soak totals: ${requests} requests, ${errors} errors, ${journeys} complete journeys; memory ${result.flat ? 'stayed flat' : 'GREW'}`
  )
  return out
}

export function soakCharts(soak: SoakResult): string[] {
  if (soak.samples.length === 0) return []
  const series = (
    name: string,
    pick: (s: SoakResult['samples'][number]) => number | undefined
  ) => ({
    name,
    points: soak.samples.map((s) => [s.t, (pick(s) ?? 0) / MiB] as [number, number]),
  })
  return [
    lineChart(
      'Soak: memory (gateways after a forced GC; MiB)',
      [
        series('upstash heap', (s) => s.upstash.heapUsed),
        series('upstash rss', (s) => s.upstash.rss),
        series('planetscale heap', (s) => s.planetscale.heapUsed),
        series('planetscale rss', (s) => s.planetscale.rss),
        series('workerd rss (no GC)', (s) => s.worker.workerdRss),
        series('isolate heap (no GC)', (s) => s.worker.isolateHeapUsed),
      ],
      'seconds',
      'MiB'
    ),
    lineChart(
      'Soak: latency per interval (ms)',
      [
        { name: 'p50', points: soak.samples.map((s) => [s.t, s.p50ms] as [number, number]) },
        { name: 'p99', points: soak.samples.map((s) => [s.t, s.p99ms] as [number, number]) },
      ],
      'seconds',
      'ms'
    ),
  ]
}
