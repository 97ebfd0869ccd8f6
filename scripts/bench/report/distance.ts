// Terminal table and chart of the distance section.
import type { DistanceResult, DistanceRow } from '../sections/distance.ts'
import { barChart } from './charts.ts'
import { table } from './table.ts'

const depthText = (row: DistanceRow) => {
  if (!row.measuredDepth || row.measuredDepth.length === 0) return undefined
  const low = Math.min(...row.measuredDepth)
  const high = Math.max(...row.measuredDepth)
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
        { header: 'route' },
        { header: 'server' },
        { header: 'p50 @0', digits: 1 },
        { header: 'p99 @0', digits: 1 },
        { header: `p50 @${rtt}`, digits: 1 },
        { header: `p99 @${rtt}`, digits: 1 },
        { header: 'p50 diff', digits: 1 },
        { header: 'round trips', digits: 2 },
        { header: 'depth (gateways)' },
        { header: 'target depth' },
      ],
      result.rows.map((r) => [
        r.route,
        r.server,
        r.atZero.p50ms,
        r.atZero.p99ms,
        r.atRtt.p50ms,
        r.atRtt.p99ms,
        r.deltaP50Ms,
        r.roundTrips,
        depthText(r),
        r.targetDepth,
      ])
    ),
  ]
}

export function distanceCharts(result: DistanceResult): string[] {
  const bars = result.rows.flatMap((r) => [
    { label: `${r.route} ${r.server} @0`, value: r.atZero.p50ms, series: '0 ms' },
    {
      label: `${r.route} ${r.server} @${result.rttMs}`,
      value: r.atRtt.p50ms,
      series: `${result.rttMs} ms round trip`,
    },
  ])
  return [barChart(`Distance: p50 ms per route, at 0 and at ${result.rttMs} ms`, bars, 'ms')]
}
