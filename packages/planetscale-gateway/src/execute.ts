// The Execute call: resolve the session, run one statement on a pooled or pinned connection,
// then pin, keep or release that connection according to the state MySQL reports.
import { performance } from 'node:perf_hooks'
import { HttpError } from '@edge-status/gateway-kit'
import {
  type ErrorJson,
  gatewayError,
  type SqlErrorContext,
  sqlError,
  statementTimeoutError,
} from './errors.ts'
import {
  type DbConn,
  type QueryOutcome,
  STATEMENT_TIMEOUT_ERRNOS,
  STATUS_AUTOCOMMIT,
  STATUS_IN_TRANS,
  STATUS_SESSION_STATE_CHANGED,
} from './mysql.ts'
import type { Pool } from './pool.ts'
import { isReadOnlyRefusal, replicaWriteError } from './read-only.ts'
import {
  newClaims,
  type ParsedSession,
  type PinnedSession,
  type SessionClaims,
  type SessionCodec,
  type SessionRegistry,
} from './sessions.ts'
import { isNoop, isPlainRollback, isStateful, readsLastInsertId } from './statements.ts'

export interface ExecuteTarget {
  user: string
  database: string
  pool: Pool
}

export interface ExecutorOptions {
  codec: SessionCodec
  registry: SessionRegistry
  maxResultBytes: number
  transactionIdleMs: number
  /** in front of a read-only replica: errors name it, writes fail as on a replica target */
  readOnly?: boolean
}

const ER_LOCK_DEADLOCK = 1213

export class Executor {
  private readonly opts: ExecutorOptions

  constructor(opts: ExecutorOptions) {
    this.opts = opts
  }

  /** Returns the response body of a 200; throws a 503 when MySQL is unreachable. */
  async execute(target: ExecuteTarget, sql: string, rawSession: unknown): Promise<string> {
    const started = performance.now()
    const { codec, registry } = this.opts
    const parsed = codec.decode(target.user, rawSession)
    let claims: SessionClaims = parsed?.verified ? parsed : newClaims()
    const ctx: SqlErrorContext = { database: target.database, user: target.user, sql }
    if (this.opts.readOnly) ctx.tablet = 'replica'
    const reply = (result: string | null, error: ErrorJson | null): string => {
      const session = codec.encode(target.user, target.database, claims)
      const timing = (performance.now() - started) / 1000
      const body = error ? `"error":${JSON.stringify(error)}` : `"result":${result}`
      return `{"session":${session},${body},"timing":${timing}}`
    }

    if (isNoop(sql)) return reply('{}', null)

    let entry = parsed?.verified ? registry.get(parsed.id, target.user) : undefined
    if (entry?.busy) {
      const text = `session ${claims.id} is in use by another request; concurrent statements on one session are refused`
      return reply(null, gatewayError('ABORTED', text, ctx))
    }
    if (!entry && parsed && (parsed.inTransaction || parsed.inReservedConn)) {
      return this.lostSession(parsed, sql, ctx, (c, e) => {
        claims = c
        return reply(e ? null : '{}', e)
      })
    }

    let conn: DbConn
    if (entry) {
      entry.busy = true
      conn = entry.conn
    } else {
      try {
        conn = await target.pool.acquire()
      } catch (err) {
        throw unavailable(err)
      }
    }

    let outcome: QueryOutcome
    let ran = 0
    try {
      // a pooled connection remembers someone else's LAST_INSERT_ID(); restore this session's
      if (!entry && readsLastInsertId(sql)) {
        await conn.run(`DO LAST_INSERT_ID(${claims.lastInsertId})`, 1024)
      }
      const began = performance.now()
      outcome = await conn.run(sql, this.opts.maxResultBytes, entry !== undefined)
      ran = performance.now() - began
    } catch (err) {
      if (entry) {
        registry.remove(entry)
        conn.destroy()
      } else target.pool.discard(conn)
      throw unavailable(err)
    }

    let inTransaction = entry?.inTransaction ?? false
    let error: ErrorJson | null = null
    let result: string | null = null
    // a deadlock rolls the whole transaction back: the session then fails until ROLLBACK
    let aborted = false
    switch (outcome.kind) {
      case 'ok': {
        const status = outcome.status
        inTransaction = (status & STATUS_IN_TRANS) !== 0
        if ((status & STATUS_AUTOCOMMIT) === 0 || (status & STATUS_SESSION_STATE_CHANGED) !== 0) {
          conn.dirty = true
        }
        if (outcome.insertId !== '0') claims = { ...claims, lastInsertId: outcome.insertId }
        result = outcome.json
        break
      }
      case 'rows':
        result = outcome.json
        break
      case 'sql-error':
        if (STATEMENT_TIMEOUT_ERRNOS.has(outcome.errno)) {
          error = statementTimeoutError(ran, conn.threadId, ctx)
        } else if (this.opts.readOnly && isReadOnlyRefusal(outcome.errno)) {
          error = replicaWriteError(ctx)
        } else error = sqlError(outcome.errno, outcome.sqlState, outcome.message, ctx)
        if (outcome.errno === ER_LOCK_DEADLOCK && inTransaction) {
          aborted = true
          inTransaction = false
        }
        break
      case 'too-large': {
        const text = `result exceeds the gateway limit of ${outcome.limit} bytes`
        error = sqlError(1153, '08S01', text, ctx, 'RESOURCE_EXHAUSTED')
        break
      }
    }
    if (outcome.kind !== 'sql-error' && isStateful(sql)) conn.dirty = true
    const keep = !aborted && !conn.dead && (inTransaction || conn.dirty)

    if (entry) {
      entry.busy = false
      if (keep) {
        entry.inTransaction = inTransaction
        registry.touch(entry)
      } else {
        registry.remove(entry)
        entry = undefined
        // adopt() destroys a dead or dirty connection instead of pooling it
        target.pool.adopt(conn)
      }
    } else if (keep) {
      entry = this.pin(target, claims.id, conn, inTransaction)
      if (!entry) {
        target.pool.discard(conn)
        // Outside a transaction the statement has been carried out: answer it, unpinned (its
        // connection state is lost). Inside one, discarding the connection rolled it back.
        if (inTransaction) {
          const text = 'too many open sessions on this gateway; the transaction was rolled back'
          error = gatewayError('RESOURCE_EXHAUSTED', text, ctx)
          result = null
        }
      }
    } else target.pool.release(conn)

    claims = {
      ...claims,
      inTransaction: entry ? entry.inTransaction : aborted,
      inReservedConn: entry !== undefined && conn.dirty,
    }
    return reply(result, error)
  }

  private pin(
    target: ExecuteTarget,
    id: string,
    conn: DbConn,
    inTransaction: boolean
  ): PinnedSession | undefined {
    const entry = this.opts.registry.pin(id, target.user, conn, inTransaction)
    if (entry) target.pool.detach(conn)
    return entry
  }

  /**
   * The session's connection is gone (idle reaper, crash, gateway restart). A transaction must
   * not continue in autocommit: every call fails with ABORTED until the client sends ROLLBACK.
   */
  private lostSession(
    parsed: ParsedSession,
    sql: string,
    ctx: SqlErrorContext,
    reply: (claims: SessionClaims, error: ErrorJson | null) => string
  ): string {
    const clean: SessionClaims = {
      ...newClaims(),
      lastInsertId: parsed.verified ? parsed.lastInsertId : '0',
    }
    if (parsed.inTransaction) {
      if (isPlainRollback(sql)) return reply(clean, null)
      const sticky: SessionClaims = parsed.verified ? parsed : { ...clean, inTransaction: true }
      const text =
        `transaction ${parsed.id} ended: its connection was closed (idle for more than ` +
        `${this.opts.transactionIdleMs} ms, or lost); the statement was not run, send ROLLBACK`
      return reply({ ...sticky, inReservedConn: false }, gatewayError('ABORTED', text, ctx))
    }
    const text = `session ${parsed.id} expired: its connection state (variables, temporary tables, locks) was lost`
    return reply(clean, gatewayError('ABORTED', text, ctx))
  }
}

function unavailable(err: unknown): HttpError {
  const reason = err instanceof Error ? err.message : String(err)
  return new HttpError(503, `MySQL is unavailable: ${reason}`)
}
