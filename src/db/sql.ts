import { DatabaseError } from '@planetscale/database'
import type { Db } from '../backends/planetscale'

/** PlanetScale wraps the MySQL error number into the message: "... (errno 1062) (sqlstate 23000) ...". */
function mysqlErrno(error: unknown): number | undefined {
  if (!(error instanceof DatabaseError)) return undefined
  const match = /\(errno (\d+)\)/.exec(error.message)
  return match ? Number(match[1]) : undefined
}

/** A unique index refused the row: the insert did not happen. */
export class DuplicateKeyError extends Error {
  constructor(table: string) {
    super(`duplicate key in ${table}`)
    this.name = 'DuplicateKeyError'
  }
}

/** Runs an INSERT, turning a duplicate key (errno 1062) into DuplicateKeyError. */
export async function insert(db: Db, table: string, sql: string, args: unknown[]): Promise<string> {
  try {
    return (await db.execute(sql, args)).insertId
  } catch (error) {
    if (mysqlErrno(error) === 1062) throw new DuplicateKeyError(table)
    throw error
  }
}

/** DATETIME values arrive as "2024-01-02 03:04:05.678" in UTC (the connection's time zone). */
export const utcIso = (datetime: string) => `${datetime.replace(' ', 'T')}Z`
