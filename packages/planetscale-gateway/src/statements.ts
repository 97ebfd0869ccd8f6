// Cheap classification of statement text: only what the session model needs.

/** Leading whitespace and comments, which clients and ORMs put before the keyword. */
const LEADING = /^(?:\s+|\/\*[\s\S]*?\*\/|(?:--\s|#)[^\n]*(?:\n|$))*/

function head(sql: string): string {
  const code = sql.charCodeAt(0)
  // fast path: statements usually start with a letter
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return sql
  const m = LEADING.exec(sql)
  return m ? sql.slice(m[0].length) : sql
}

/** PlanetScale features the gateway accepts and ignores (PROTOCOL.md §7.3). */
const NOOP = /^(?:set\s+@@boost_cached_queries\s*=|use\s+[`'"]?@)/i

/** Statements that leave state on the connection that later calls of the session rely on. */
const STATEFUL_HEAD =
  /^(?:set|use|prepare|execute|deallocate|lock|handler|create\s+(?:or\s+replace\s+)?temporary)\b/i
const STATEFUL_ANYWHERE = /get_lock\s*\(|:=|\binto\s+@/i
/**
 * String literals, quoted identifiers and comments: the driver writes parameter values into the
 * SQL text, so a status that reads "a := b" must not look like an assignment.
 */
const QUOTED_OR_COMMENT =
  /'(?:[^'\\]|\\[\s\S]|'')*'|"(?:[^"\\]|\\[\s\S]|"")*"|`(?:[^`]|``)*`|\/\*[\s\S]*?\*\/|(?:--\s|#)[^\n]*/g

const ROLLBACK = /^rollback(?:\s+work)?\s*;?\s*$/i
const LAST_INSERT_ID = /last_insert_id\s*\(\s*\)/i

export function isNoop(sql: string): boolean {
  return NOOP.test(head(sql))
}

export function isStateful(sql: string): boolean {
  if (STATEFUL_HEAD.test(head(sql))) return true
  // The common case (no match at all) skips the scan for quotes.
  return STATEFUL_ANYWHERE.test(sql) && STATEFUL_ANYWHERE.test(sql.replace(QUOTED_OR_COMMENT, ' '))
}

export function isPlainRollback(sql: string): boolean {
  return ROLLBACK.test(head(sql))
}

export function readsLastInsertId(sql: string): boolean {
  return LAST_INSERT_ID.test(sql)
}
