// Terminal tables of the gateways section.
import type { GatewaysResult } from './gateways.ts'
import { printTable, say } from './table.ts'

export function printGateways(result: GatewaysResult): void {
  printTable(
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
  const { minRpsShareOfBare, maxP50OverheadMs } = result.targets
  printTable(
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
  say(
    'Layout: the load generator is this process (one official client per caller, default options; ' +
      'direct = one ioredis connection per caller / a mysql2 pool of as many connections); each server ' +
      '(gateway, bare node:http) runs alone in its own child process. The bare server replays the ' +
      "gateway's own response bytes. The PlanetScale gateway gets 16 MySQL connections, as mysql2."
  )
  const firstError = result.rows.find((r) => r.firstError)
  if (firstError)
    say(`first error (${firstError.op}, ${firstError.variant}): ${firstError.firstError}`)
}
