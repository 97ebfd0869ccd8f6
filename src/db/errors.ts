import { DatabaseError } from '@planetscale/database'

/** PlanetScale wraps the MySQL error number into the message: "... (errno 1062) (sqlstate 23000) ...". */
export function mysqlErrno(error: unknown): number | undefined {
  if (!(error instanceof DatabaseError)) return undefined
  const match = /\(errno (\d+)\)/.exec(error.message)
  return match ? Number(match[1]) : undefined
}

export const isDuplicateKey = (error: unknown) => mysqlErrno(error) === 1062

/** DATETIME values arrive as "2024-01-02 03:04:05.678" in UTC (the connection's time zone). */
export const utcIso = (datetime: string) => `${datetime.replace(' ', 'T')}Z`
