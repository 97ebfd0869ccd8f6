// Terminal tables and charts of the gateways section.
import type { GatewaysResult } from '../sections/gateways.ts'
import { barChart } from './charts.ts'
import { loadColumns, table } from './table.ts'

type Row = GatewaysResult['rows'][number]

export function gatewaysText(result: GatewaysResult): string[] {
  const { minRpsShareOfBare, maxP50OverheadMs } = result.targets
  const firstError = result.rows.find((r) => r.firstError)
  return [
    table(
      'Gateways: official client vs direct Node client vs bare node:http (closed loop)',
      [
        ['operation', (r) => r.op],
        ['variant', (r) => r.variant],
        ['callers', (r) => r.callers],
        ...loadColumns<Row>(3),
        ['errors', (r) => r.errors],
        ['client CPU ms/req', (r) => r.cpuMsPerRequest.client, 3],
        ['server CPU ms/req', (r) => r.cpuMsPerRequest.server, 3],
      ],
      result.rows
    ),
    table(
      `Gateway ratios (targets: gateway/bare req/s at 16 >= ${minRpsShareOfBare * 100}%, p50 overhead vs direct at 1 <= ${maxP50OverheadMs} ms)`,
      [
        ['operation', (s) => s.op],
        ['gateway/bare req/s @16', (s) => s.rpsShareOfBare && s.rpsShareOfBare * 100, 0, '%'],
        ['p50 overhead @1 ms', (s) => s.p50OverheadMs, 3],
        ['verdict', (s) => (s.pass ? 'meets targets' : 'MISSES target')],
      ],
      result.summary
    ),
    'Layout: the load generator is this process (one official client per caller, default options; ' +
      'direct = one ioredis connection per caller / a mysql2 pool of as many connections); each server ' +
      '(gateway, bare node:http) runs alone in its own child process. The bare server replays the ' +
      "gateway's own response bytes. The PlanetScale gateway gets 16 MySQL connections, as mysql2.",
    ...(firstError
      ? [`first error (${firstError.op}, ${firstError.variant}): ${firstError.firstError}`]
      : []),
  ]
}

export function gatewaysCharts(result: GatewaysResult): string[] {
  const at = (callers: number, value: (r: Row) => number) =>
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
