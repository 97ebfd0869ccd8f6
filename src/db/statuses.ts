import type { Db } from '../backends/planetscale'
import { insert, utcIso } from './sql'

export interface Status {
  id: string
  text: string
  /** ISO 8601, UTC */
  createdAt: string
}

interface StatusRow {
  id: string
  body: string
  created_at: string
}

export interface StatusPage {
  statuses: Status[]
  /** Pass as `before` to get the next (older) page; null on the last page. */
  nextCursor: string | null
}

const toStatus = (row: StatusRow): Status => ({
  id: row.id,
  text: row.body,
  createdAt: utcIso(row.created_at),
})

/**
 * One statement in the usual case. A key this user has used before makes the unique index
 * (user_id, idempotency_key) refuse the row: DuplicateKeyError, nothing stored.
 */
export function insertStatus(
  db: Db,
  userId: string,
  text: string,
  idempotencyKey?: string
): Promise<string> {
  return insert(
    db,
    'statuses',
    'INSERT INTO statuses (user_id, body, idempotency_key) VALUES (?, ?, ?)',
    [userId, text, idempotencyKey ?? null]
  )
}

/** The status this user posted with this idempotency key, if any. */
export async function findStatusByKey(
  db: Db,
  userId: string,
  idempotencyKey: string
): Promise<Status | null> {
  const result = await db.execute<StatusRow>(
    'SELECT id, body, created_at FROM statuses WHERE user_id = ? AND idempotency_key = ?',
    [userId, idempotencyKey]
  )
  const row = result.rows[0]
  return row ? toStatus(row) : null
}

/** Newest first. Ids are BIGINT strings; ordering by id matches insertion order. */
export async function listStatuses(
  db: Db,
  userId: string,
  page: { before?: string | undefined; limit: number }
): Promise<StatusPage> {
  const sql = page.before
    ? 'SELECT id, body, created_at FROM statuses WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?'
    : 'SELECT id, body, created_at FROM statuses WHERE user_id = ? ORDER BY id DESC LIMIT ?'
  const args = page.before ? [userId, page.before, page.limit + 1] : [userId, page.limit + 1]
  const result = await db.execute<StatusRow>(sql, args)
  const rows = result.rows.slice(0, page.limit)
  return {
    statuses: rows.map(toStatus),
    nextCursor: result.rows.length > page.limit ? (rows.at(-1)?.id ?? null) : null,
  }
}
