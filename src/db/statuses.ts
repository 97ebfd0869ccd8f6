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
  /** Pass as `before` to get the next older page; null when there is nothing older. */
  olderCursor: string | null
  /** Pass as `after` to get the next newer page; null when there is nothing newer. */
  newerCursor: string | null
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

const SELECT = 'SELECT id, body, created_at FROM statuses WHERE user_id = ?'

function pageQuery(userId: string, { before, after, limit }: PageRequest): [string, unknown[]] {
  if (after !== undefined) {
    return [`${SELECT} AND id > ? ORDER BY id ASC LIMIT ?`, [userId, after, limit + 1]]
  }
  if (before !== undefined) {
    return [`${SELECT} AND id < ? ORDER BY id DESC LIMIT ?`, [userId, before, limit + 1]]
  }
  return [`${SELECT} ORDER BY id DESC LIMIT ?`, [userId, limit + 1]]
}

export interface PageRequest {
  /** The next older page: statuses before this id. */
  before?: string | undefined
  /** The next newer page: statuses after this id. */
  after?: string | undefined
  limit: number
}

/**
 * One page, newest first; ids are BIGINT strings, and ordering by id matches insertion order. A
 * newer page is read oldest first from its cursor, then turned around. One row more than the page
 * tells whether there is more in the direction read; the other way lies the page the cursor came
 * from.
 */
export async function listStatuses(db: Db, userId: string, page: PageRequest): Promise<StatusPage> {
  const result = await db.execute<StatusRow>(...pageQuery(userId, page))
  const more = result.rows.length > page.limit
  const rows = result.rows.slice(0, page.limit)
  const readingNewer = page.after !== undefined
  if (readingNewer) rows.reverse()
  const newest = rows[0]?.id ?? null
  const oldest = rows.at(-1)?.id ?? null
  return {
    statuses: rows.map(toStatus),
    olderCursor: more || readingNewer ? oldest : null,
    newerCursor: (readingNewer ? more : page.before !== undefined) ? newest : null,
  }
}
