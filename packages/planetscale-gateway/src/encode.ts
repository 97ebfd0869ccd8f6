// Rows in protojson form: byte lengths as decimal strings ("-1" = NULL) and the
// base64 of all non-NULL raw text-protocol bytes, concatenated (PROTOCOL.md §4).

/** Counted per row on top of its raw bytes, so huge numbers of tiny rows also hit the limit. */
const ROW_OVERHEAD = 16

export class RowEncoder {
  json = ''
  count = 0
  bytes = 0
  overflow = false
  readonly limit: number

  constructor(limit: number) {
    this.limit = limit
  }

  /** Returns false once the result exceeds the byte limit; later rows are dropped. */
  push(row: readonly (Buffer | null)[]): boolean {
    if (this.overflow) return false
    let lengths = ''
    let total = 0
    let parts = 0
    let single: Buffer | null = null
    for (let i = 0; i < row.length; i++) {
      const value = row[i]
      if (i > 0) lengths += ','
      if (value == null) {
        lengths += '"-1"'
        continue
      }
      lengths += `"${value.length}"`
      if (value.length > 0) {
        total += value.length
        parts++
        single = value
      }
    }
    this.bytes += total + ROW_OVERHEAD + row.length
    if (this.bytes > this.limit) {
      this.overflow = true
      this.json = ''
      return false
    }
    let out = `{"lengths":[${lengths}]`
    // protojson drops empty bytes, so an all-NULL/empty row has no "values" key
    if (parts === 1 && single) out += `,"values":"${single.toString('base64')}"`
    else if (parts > 1) out += `,"values":"${concat(row, total).toString('base64')}"`
    this.json += this.count === 0 ? `${out}}` : `,${out}}`
    this.count++
    return true
  }
}

function concat(row: readonly (Buffer | null)[], total: number): Buffer {
  const out = Buffer.allocUnsafe(total)
  let offset = 0
  for (const value of row) {
    if (value) offset += value.copy(out, offset)
  }
  return out
}

/** MySQL reports unsigned 64-bit ids through a signed reader; undo the wrap-around. */
export function uint64String(value: number | string | null | undefined): string {
  if (value == null) return '0'
  const text = String(value)
  if (!text.startsWith('-')) return text
  return (BigInt(text) + 2n ** 64n).toString()
}

/** The QueryResult of a statement without a result set: zero counts are omitted. */
export function okResultJson(affectedRows: string, insertId: string): string {
  let out = ''
  if (affectedRows !== '0') out += `"rowsAffected":"${affectedRows}"`
  if (insertId !== '0') out += `${out ? ',' : ''}"insertId":"${insertId}"`
  return `{${out}}`
}

export function rowsResultJson(fields: string, rows: RowEncoder): string {
  return rows.count === 0 ? `{"fields":${fields}}` : `{"fields":${fields},"rows":[${rows.json}]}`
}
