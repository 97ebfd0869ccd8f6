// Terminal tables of the gateways section.
import type { GatewaysResult } from '../sections/gateways.ts'
import { barChart } from './charts.ts'
import { table } from './table.ts'

export function gatewaysText(result: GatewaysResult): string[] {
  const out: string[] = []
  out.push(
    table(
      'Gateways: official client vs direct Node client vs bare node:http (closed loop)',
      [
        { header: 'operation' },
        { header: 'variant' },
        { header: 'callers' },
        { header: 'req/s' },
        { header: 'p50 ms', digits: 3 },
        { header: 'p99 ms', digits: 3 },
        { header: 'errors' },
        { header: 'client CPU ms/req', digits: 3 },
        { header: 'server CPU ms/req', digits: 3 },
      ],
      result.rows.map((r) => [
        r.op,
        r.variant,
        r.callers,
        r.rps,
        r.p50ms,
        r.p99ms,
        r.errors,
        r.cpuMsPerRequest?.client,
        r.cpuMsPerRequest?.server,
      ])
    )
  )
  const { minRpsShareOfBare, maxP50OverheadMs } = result.targets
  out.push(
    table(
      `Gateway ratios (targets: gateway/bare req/s at 16 >= ${minRpsShareOfBare * 100}%, p50 overhead vs direct at 1 <= ${maxP50OverheadMs} ms)`,
      [
        { header: 'operation' },
        { header: 'gateway/bare req/s @16', digits: 0, suffix: '%' },
        { header: 'p50 overhead @1 ms', digits: 3 },
        { header: 'verdict' },
      ],
      result.summary.map((s) => [
        s.op,
        s.rpsShareOfBare === null ? null : s.rpsShareOfBare * 100,
        s.p50OverheadMs,
        s.pass ? 'meets targets' : 'MISSES target',
      ])
    )
  )
  out.push(
    'Layout: the load generator is this process (one official client per caller, default options; ' +
      'direct = one ioredis connection per caller / a mysql2 pool of as many connections); each server ' +
      '(gateway, bare node:http) runs alone in its own child process. The bare server replays the ' +
      "gateway's own response bytes. The PlanetScale gateway gets 16 MySQL connections, as mysql2."
  )
  const firstError = result.rows.find((r) => r.firstError)
  if (firstError)
    out.push(`first error (${firstError.op}, ${firstError.variant}): ${firstError.firstError}`)
  return out
}

export function gatewaysCharts(result: GatewaysResult): string[] {
  const at = (callers: number, value: (r: GatewaysResult['rows'][number]) => number) =>
    result.rows
      .filter((r) => r.callers === callers)
      .map((r) => ({ label: `${r.op} @${callers}`, value: value(r), series: r.variant }))
  return [
    barChart(
      'Gateways: requests/s at 16 callers',
      at(16, (r) => r.rps),
      'req/s'
    ),
    barChart(
      'Gateways: p50 latency at 1 caller',
      at(1, (r) => r.p50ms),
      'ms'
    ),
  ]
}
