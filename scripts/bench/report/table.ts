// Plain-text tables for the terminal: left-aligned text, right-aligned numbers.

export type Cell = string | number | null | undefined

export interface Column {
  header: string
  /** digits after the point for numbers, default 0 */
  digits?: number
  /** text appended to numbers, e.g. '%' */
  suffix?: string
}

export function formatCell(value: Cell, column: Column): string {
  if (value === null || value === undefined) return '–'
  if (typeof value === 'string') return value
  if (!Number.isFinite(value)) return '–'
  const digits = column.digits ?? 0
  const text = value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
  return `${text}${column.suffix ?? ''}`
}

export function renderTable(title: string, columns: Column[], rows: Cell[][]): string {
  const cells = rows.map((row) => columns.map((column, i) => formatCell(row[i], column)))
  const numeric = columns.map((_, i) => rows.some((row) => typeof row[i] === 'number'))
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((row) => (row[i] ?? '').length))
  )
  const line = (values: string[]) =>
    values
      .map((value, i) =>
        numeric[i] ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)
      )
      .join('  ')
      .trimEnd()
  const out = [
    title,
    line(columns.map((c) => c.header)),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
  ]
  return out.join('\n')
}

/** A table with a blank line above it, as the printers join them. */
export const table = (title: string, columns: Column[], rows: Cell[][]): string =>
  `\n${renderTable(title, columns, rows)}`
