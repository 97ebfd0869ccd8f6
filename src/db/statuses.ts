import type { Db } from './connection'
import { utcIso } from './errors'

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

export async function insertStatus(db: Db, userId: string, text: string): Promise<string> {
  const result = await db.execute('INSERT INTO statuses (user_id, body) VALUES (?, ?)', [
    userId,
    text,
  ])
  return result.insertId
}

/** Newest first. Ids are BIGINT strings; ordering by id matches insertion order. */
export async function listStatuses(
  db: Db,
  userId: string,
  page: { before?: string; limit: number }
): Promise<StatusPage> {
  const sql = page.before
    ? 'SELECT id, body, created_at FROM statuses WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?'
    : 'SELECT id, body, created_at FROM statuses WHERE user_id = ? ORDER BY id DESC LIMIT ?'
  const args = page.before ? [userId, page.before, page.limit + 1] : [userId, page.limit + 1]
  const result = await db.execute<StatusRow>(sql, args)
  const rows = result.rows.slice(0, page.limit)
  return {
    statuses: rows.map((row) => ({
      id: row.id,
      text: row.body,
      createdAt: utcIso(row.created_at),
    })),
    nextCursor: result.rows.length > page.limit ? (rows.at(-1)?.id ?? null) : null,
  }
}
