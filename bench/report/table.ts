// Plain-text tables for the terminal: left-aligned text, right-aligned numbers.

type Cell = string | number | null | undefined

/** A header, its cell in a row, digits after the point (default 0) and text after a number. */
export type Column<R> = [header: string, cell: (row: R) => Cell, digits?: number, suffix?: string]

function format(value: Cell, digits = 0, suffix = ''): string {
  if (typeof value === 'string') return value
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  const options = { minimumFractionDigits: digits, maximumFractionDigits: digits }
  return `${value.toLocaleString('en-US', options)}${suffix}`
}

/** Throughput and latency of a load run, latency with `digits` after the point. */
export const loadColumns = <R extends { rps: number; p50ms: number; p99ms: number }>(
  digits: number
): Column<R>[] => [
  ['req/s', (r) => r.rps],
  ['p50 ms', (r) => r.p50ms, digits],
  ['p99 ms', (r) => r.p99ms, digits],
]

/** A table with a blank line above it, as the printers join them. */
export function table<R>(title: string, columns: Column<R>[], rows: R[]): string {
  const values = rows.map((row) => columns.map(([, cell]) => cell(row)))
  const cells = values.map((row) => row.map((v, i) => format(v, columns[i]?.[2], columns[i]?.[3])))
  const numeric = columns.map((_, i) => values.some((row) => typeof row[i] === 'number'))
  const widths = columns.map(([header], i) =>
    Math.max(header.length, ...cells.map((row) => row[i]?.length ?? 0))
  )
  const line = (texts: string[]) =>
    texts
      .map((text, i) => (numeric[i] ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  const rule = widths.map((width) => '-'.repeat(width))
  return ['', title, line(columns.map(([header]) => header)), line(rule), ...cells.map(line)].join(
    '\n'
  )
}
