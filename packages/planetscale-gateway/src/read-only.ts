// The read-only region: a gateway in front of a replica, as PlanetScale serves a replica or
// read-only region with credentials of its own (PROTOCOL.md §6.4). The replica itself refuses
// writes (MariaDB/MySQL read_only, for a user without the right to bypass it); the gateway words
// the refusal as vtgate words a write sent to a replica target.
import type { ErrorJson, SqlErrorContext } from './errors.ts'

/** --read-only / --super-read-only (1290), read-only mode (1836), a READ ONLY transaction (1792) */
const READ_ONLY_ERRNOS = new Set([1290, 1792, 1836])

export function isReadOnlyRefusal(errno: number): boolean {
  return READ_ONLY_ERRNOS.has(errno)
}

const LEADING = /^(?:\s+|\/\*[\s\S]*?\*\/|(?:--\s|#)[^\n]*(?:\n|$))*/
const KEYWORD = /^[a-z]+/i

/** vtgate's VT09002 (FAILED_PRECONDITION; MySQL errno 1874, "InnoDB is in read only mode"). */
export function replicaWriteError(ctx: SqlErrorContext): ErrorJson {
  const rest = ctx.sql.slice(LEADING.exec(ctx.sql)?.[0].length ?? 0)
  const kind = (KEYWORD.exec(rest)?.[0] ?? 'write').toLowerCase()
  return {
    code: 'FAILED_PRECONDITION',
    message:
      `target: ${ctx.database}.-.replica: vtgate: rpc error: code = FailedPrecondition desc = ` +
      `VT09002: ${kind} statement with a replica target (errno 1874) (sqlstate HY000)`,
  }
}
