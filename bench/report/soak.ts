// Terminal tables and charts of the soak section.
import type { SoakResult } from '../sections/soak.ts'
import { lineChart } from './charts.ts'
import { type Column, table } from './table.ts'

type Sample = SoakResult['samples'][number]

const mib = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / (1024 * 1024))

/** Column header, chart series and bytes of each memory figure. */
const MEMORY: [string, string, (s: Sample) => number | undefined][] = [
  ['upstash heap MiB', 'upstash heap', (s) => s.upstash.heapUsed],
  ['upstash rss MiB', 'upstash rss', (s) => s.upstash.rss],
  ['ps heap MiB', 'planetscale heap', (s) => s.planetscale.heapUsed],
  ['ps rss MiB', 'planetscale rss', (s) => s.planetscale.rss],
  ['workerd rss MiB', 'workerd rss (no GC)', (s) => s.worker.workerdRss],
  ['isolate heap MiB', 'isolate heap (no GC)', (s) => s.worker.isolateHeapUsed],
]

export function soakText(result: SoakResult): string[] {
  const { requests, errors, journeys } = result.totals
  const tolerance = result.tolerancePercent
  return [
    table(
      `Soak: ${result.minutes} min, ${result.users} users, a sample every ${result.sampleSeconds} s (memory after forced GC)`,
      [
        ['t s', (s) => s.t],
        ['req', (s) => s.requests],
        ['err', (s) => s.errors],
        ['req/s', (s) => s.rps, 1],
        ['p50 ms', (s) => s.p50ms],
        ['p99 ms', (s) => s.p99ms],
        ...MEMORY.map(([header, , of]): Column<Sample> => [header, (s) => mib(of(s)), 1]),
        ['redis keys', (s) => s.redisKeys],
      ],
      result.samples
    ),
    table(
      `Memory verdict (after ${result.warmupSamples} warm-up samples: mean of the last third vs the first; flat = heap within ${tolerance}%, RSS within ${2 * tolerance}%, or under 1 MiB)`,
      [
        ['process', (v) => v.process],
        ['metric', (v) => v.metric],
        ['first third MiB', (v) => v.firstThirdMiB, 2],
        ['last third MiB', (v) => v.lastThirdMiB, 2],
        ['growth', (v) => v.growthPercent, 1, '%'],
        [
          'verdict',
          (v) =>
            `${v.flat ? 'flat' : 'GROWING'}${v.informational ? ' (no GC: floors compared; not judged)' : ''}`,
        ],
      ],
      result.verdicts
    ),
    `soak totals: ${requests} requests, ${errors} errors, ${journeys} complete journeys; memory ${result.flat ? 'stayed flat' : 'GREW'}`,
  ]
}

export function soakCharts({ samples }: SoakResult): string[] {
  if (samples.length === 0) return []
  const series = (name: string, of: (s: Sample) => number | undefined) => ({
    name,
    points: samples.map((s): [number, number] => [s.t, of(s) ?? 0]),
  })
  return [
    lineChart(
      'Soak: memory (gateways after a forced GC; MiB)',
      MEMORY.map(([, name, of]) => series(name, (s) => mib(of(s)))),
      'seconds',
      'MiB'
    ),
    lineChart(
      'Soak: latency per interval (ms)',
      [series('p50', (s) => s.p50ms), series('p99', (s) => s.p99ms)],
      'seconds',
      'ms'
    ),
  ]
}
