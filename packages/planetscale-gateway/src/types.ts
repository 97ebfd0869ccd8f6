// Vitess type names and field JSON, as PlanetScale reports them (PROTOCOL.md §5).

/** The column-definition bits the gateway reads (a subset of mysql2's ColumnDefinition). */
export interface ColumnDef {
  name: string
  columnType: number
  flags: number
  characterSet: number
  columnLength: number
  decimals: number
  table: string
  orgTable: string
  orgName: string
  schema: string
  /** MariaDB extended metadata: 'json' for JSON columns and JSON_* expressions. */
  extendedFormat?: string
}

export const NUM_FLAG = 32768

const UNSIGNED_FLAG = 32
const BINARY_FLAG = 128
const ENUM_FLAG = 256
const SET_FLAG = 2048

const BASE_TYPES: Record<number, string> = {
  0: 'DECIMAL',
  1: 'INT8',
  2: 'INT16',
  3: 'INT32',
  4: 'FLOAT32',
  5: 'FLOAT64',
  6: 'NULL_TYPE',
  7: 'TIMESTAMP',
  8: 'INT64',
  9: 'INT24',
  10: 'DATE',
  11: 'TIME',
  12: 'DATETIME',
  13: 'YEAR',
  15: 'VARCHAR',
  16: 'BIT',
  17: 'TIMESTAMP',
  18: 'DATETIME',
  19: 'TIME',
  242: 'VECTOR',
  245: 'JSON',
  246: 'DECIMAL',
  247: 'ENUM',
  248: 'SET',
  249: 'TEXT',
  250: 'TEXT',
  251: 'TEXT',
  252: 'TEXT',
  253: 'VARCHAR',
  254: 'CHAR',
  255: 'GEOMETRY',
}

/** Vitess `mysqlToType` followed by `modifyType`; MariaDB's JSON alias becomes JSON. */
export function vitessType(code: number, flags: number, extendedFormat?: string): string {
  if (extendedFormat === 'json') return 'JSON'
  const base = BASE_TYPES[code]
  if (base === undefined) return flags & BINARY_FLAG ? 'VARBINARY' : 'VARCHAR'
  switch (base) {
    case 'INT8':
    case 'INT16':
    case 'INT24':
    case 'INT32':
    case 'INT64':
      return flags & UNSIGNED_FLAG ? `U${base}` : base
    case 'TEXT':
      return flags & BINARY_FLAG ? 'BLOB' : base
    case 'VARCHAR':
      return flags & BINARY_FLAG ? 'VARBINARY' : base
    case 'CHAR':
      if (flags & BINARY_FLAG) return 'BINARY'
      if (flags & ENUM_FLAG) return 'ENUM'
      if (flags & SET_FLAG) return 'SET'
      return base
    default:
      return base
  }
}

/** Vitess's MySQL client adds NUM_FLAG for numeric protocol codes (PROTOCOL.md §5). */
export function isNumericCode(code: number): boolean {
  return (code <= 9 && code !== 7) || code === 13 || code === 246
}

const SMALL_INT_CODES = new Set([1, 2, 3, 9])

/**
 * MySQL types integer expressions (`SELECT 1`, `1 + 1`, `1 = 1`) as BIGINT, so PlanetScale
 * reports INT64 and the driver returns a string; MariaDB narrows them to INT. An integer column
 * without an origin table is an expression, so on MariaDB it is reported as MySQL would.
 */
function protocolCode(f: ColumnDef, mariadb: boolean): number {
  return mariadb && !f.orgTable && SMALL_INT_CODES.has(f.columnType) ? 8 : f.columnType
}

/** One Field in protojson form: zero values and empty strings are omitted. */
export function fieldJson(f: ColumnDef, mariadb = false): string {
  const type = vitessType(protocolCode(f, mariadb), f.flags, f.extendedFormat)
  const flags = isNumericCode(f.columnType) ? f.flags | NUM_FLAG : f.flags
  let out = `{"name":${JSON.stringify(f.name)}`
  // NULL_TYPE is the enum's zero value, so protojson leaves the key out
  if (type !== 'NULL_TYPE') out += `,"type":"${type}"`
  if (f.table) out += `,"table":${JSON.stringify(f.table)}`
  if (f.orgTable) out += `,"orgTable":${JSON.stringify(f.orgTable)}`
  if (f.schema) out += `,"database":${JSON.stringify(f.schema)}`
  if (f.orgName) out += `,"orgName":${JSON.stringify(f.orgName)}`
  if (f.columnLength) out += `,"columnLength":${f.columnLength >>> 0}`
  if (f.characterSet) out += `,"charset":${f.characterSet}`
  if (f.decimals) out += `,"decimals":${f.decimals}`
  if (flags) out += `,"flags":${flags >>> 0}`
  return `${out}}`
}

export function fieldsJson(fields: readonly ColumnDef[], mariadb = false): string {
  let out = '['
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += ','
    out += fieldJson(fields[i] as ColumnDef, mariadb)
  }
  return `${out}]`
}
