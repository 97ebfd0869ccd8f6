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
        ['runtime', (row) => row.runtime],
        ['operation', (row) => row.operation],
        ['runs', (row) => row.runs],
        ['median ms', (row) => row.medianMs, 1],
        ['p99 ms', (row) => row.p99ms, 1],
        ['round trip − empty, median ms', (row) => row.roundTripMedianMs, 1],
      ],
      result.rows
    ),
    result.owasp,
  ]
}

export function hashCharts(result: HashResult): string[] {
  const bars = result.rows.map((r) => ({ label: `${r.runtime} ${r.operation}`, value: r.medianMs }))
  return [barChart('Password hashing: median ms', bars, 'ms')]
}
