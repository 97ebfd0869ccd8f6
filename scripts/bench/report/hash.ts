// Terminal table and chart of the hash section.
import type { HashResult } from '../sections/hash.ts'
import { barChart } from './charts.ts'
import { table } from './table.ts'

export function hashText(result: HashResult): string[] {
  const { m, t, p } = result.params
  return [
    table(
      `Password hashing: Argon2id m=${m} KiB t=${t} p=${p} (src/auth/password.ts inside workerd; ` +
        'CPU ms per call, minus an empty request)',
      [
        { header: 'runtime' },
        { header: 'operation' },
        { header: 'runs' },
        { header: 'median ms', digits: 1 },
        { header: 'p99 ms', digits: 1 },
        { header: 'round trip − empty, median ms', digits: 1 },
      ],
      result.rows.map((row) => [
        row.runtime,
        row.operation,
        row.runs,
        row.medianMs,
        row.p99ms,
        row.roundTripMedianMs,
      ])
    ),
    result.owasp,
  ]
}

export function hashCharts(result: HashResult): string[] {
  const bars = result.rows.map((r) => ({ label: `${r.runtime} ${r.operation}`, value: r.medianMs }))
  return [barChart('Password hashing: median ms', bars, 'ms')]
}
