// Terminal table and chart of the distance section.
import type { DistanceResult, DistanceRow } from '../sections/distance.ts'
import { barChart } from './charts.ts'
import { table } from './table.ts'

const depthText = ({ measuredDepth: depth }: DistanceRow) => {
  if (!depth || depth.length === 0) return undefined
  const [low, high] = [Math.min(...depth), Math.max(...depth)]
  return low === high ? String(low) : `${low}–${high}`
}

export function distanceText(result: DistanceResult): string[] {
  const rtt = result.rttMs
  return [
    `Layout: one keep-alive connection per server, ${result.requests} sequential requests per ` +
      `route after ${result.warmup} unmeasured. A round trip of ${rtt} ms: ours and the floor on gateways ` +
      `started with --latency-ms ${rtt} (each backend request waits that long); the tutorial ` +
      `(${result.tutorial ?? 'not run'}) with its Redis and MariaDB behind TCP proxies that ` +
      `delay every chunk ${rtt / 2} ms each way (at 0 ms the same proxies, undelayed). ` +
      'Ours spends ~35 ms of Argon2id CPU in POST /login and /register (see the hash section), ' +
      'at 0 ms and at the round trip alike. Depth (ours, read from the gateways) is the longest ' +
      `chain of backend requests that ran one after another, in each of ${result.probes} probe requests.`,
    table(
      `Distance: per route, p50/p99 ms at 0 and at ${rtt} ms; round trips = (p50 at ${rtt} − p50 at 0) / ${rtt}`,
      [
        ['route', (r) => r.route],
        ['server', (r) => r.server],
        ['p50 @0', (r) => r.atZero.p50ms, 1],
        ['p99 @0', (r) => r.atZero.p99ms, 1],
        [`p50 @${rtt}`, (r) => r.atRtt.p50ms, 1],
        [`p99 @${rtt}`, (r) => r.atRtt.p99ms, 1],
        ['p50 diff', (r) => r.deltaP50Ms, 1],
        ['round trips', (r) => r.roundTrips, 2],
        ['depth (gateways)', depthText],
        ['target depth', (r) => r.targetDepth],
      ],
      result.rows
    ),
  ]
}

export function distanceCharts({ rows, rttMs }: DistanceResult): string[] {
  const bars = rows.flatMap((r) => [
    { label: `${r.route} ${r.server} @0`, value: r.atZero.p50ms, series: '0 ms' },
    {
      label: `${r.route} ${r.server} @${rttMs}`,
      value: r.atRtt.p50ms,
      series: `${rttMs} ms round trip`,
    },
  ])
  return [barChart(`Distance: p50 ms per route, at 0 and at ${rttMs} ms`, bars, 'ms')]
}
