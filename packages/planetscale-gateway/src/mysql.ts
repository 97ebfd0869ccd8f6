// One MySQL connection set up the way PlanetScale's are, running text-protocol queries whose
// values stay raw bytes (never converted to JS values and back).
import type { EventEmitter } from 'node:events'
import { createConnection } from 'mysql2'
import { okResultJson, RowEncoder, rowsResultJson, uint64String } from './encode.ts'
import { type ColumnDef, fieldsJson } from './types.ts'

export interface MysqlTarget {
  host: string
  port: number
  user: string
  password: string
  clientFoundRows: boolean
  /** Each statement's time limit, enforced by the server; 0: none */
  statementTimeoutMs: number
}

/** MySQL 8's default sql_mode, never with NO_BACKSLASH_ESCAPES (the driver escapes with `\`). */
export const SQL_MODE =
  'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,' +
  'ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'

const SETUP_SQL =
  `SET NAMES utf8mb4, time_zone = '+00:00', sql_mode = '${SQL_MODE}', autocommit = 1, ` +
  'session_track_state_change = ON'

/**
 * The server enforces the time limit and leaves the connection usable: MariaDB's
 * max_statement_time (seconds) covers every statement, MySQL's max_execution_time (ms) only
 * SELECT.
 */
function setupSql(target: MysqlTarget, mariadb: boolean): string {
  const ms = target.statementTimeoutMs
  if (ms <= 0) return SETUP_SQL
  return mariadb
    ? `${SETUP_SQL}, max_statement_time = ${ms / 1000}`
    : `${SETUP_SQL}, max_execution_time = ${ms}`
}

/** MariaDB's ER_STATEMENT_TIMEOUT and MySQL's ER_QUERY_TIMEOUT. */
export const STATEMENT_TIMEOUT_ERRNOS = new Set([1969, 3024])

export const STATUS_IN_TRANS = 1
export const STATUS_AUTOCOMMIT = 2
export const STATUS_SESSION_STATE_CHANGED = 0x4000

export type QueryOutcome =
  | { kind: 'ok'; json: string; status: number; insertId: string }
  | { kind: 'rows'; json: string }
  | { kind: 'sql-error'; errno: number; sqlState: string; message: string }
  | { kind: 'too-large'; limit: number }

interface OkPacket {
  affectedRows: number | string
  insertId: number | string
  serverStatus?: number
}

interface SqlErr extends Error {
  errno?: number
  sqlState?: string
  sqlMessage?: string
  fatal?: boolean
}

type RawConnection = EventEmitter & {
  _isMariaDB?: boolean
  threadId?: number
  query(options: object): EventEmitter
  destroy(): void
  end(cb?: (err?: Error) => void): void
}

export class DbConn {
  dead = false
  readonly mariadb: boolean
  /** The server's id for this connection (CONNECTION_ID()). */
  readonly threadId: number
  /** Set while a session holds state (user variables, temp tables…) on this connection. */
  dirty = false
  onDead: ((conn: DbConn) => void) | null = null
  private readonly raw: RawConnection
  private pending: ((err: Error) => void) | null = null

  constructor(raw: RawConnection) {
    this.raw = raw
    this.mariadb = Boolean(raw._isMariaDB)
    this.threadId = raw.threadId ?? 0
    // without an 'error' listener a dropped socket would crash the process
    raw.on('error', (err: Error) => this.fail(err))
    raw.on('end', () => this.fail(new Error('Connection lost: the server closed the connection.')))
  }

  private fail(err: Error): void {
    if (!this.dead) {
      this.dead = true
      this.onDead?.(this)
    }
    const pending = this.pending
    this.pending = null
    pending?.(err)
  }

  /**
   * Rejects only when the connection itself fails; SQL errors are an outcome. An oversized
   * result destroys the connection unless `drain` asks to read and discard the rest (a pinned
   * connection must survive it).
   */
  run(sql: string, maxResultBytes: number, drain = false): Promise<QueryOutcome> {
    if (this.dead) return Promise.reject(new Error('Connection is closed'))
    return new Promise((resolve, reject) => {
      let fields: ColumnDef[] | null = null
      let rows: RowEncoder | null = null
      let ok: OkPacket | null = null
      let settled = false
      const settle = (fn: () => void) => {
        if (settled) return
        settled = true
        this.pending = null
        try {
          fn()
        } catch (err) {
          // e.g. a result string beyond V8's limit: fail the call, not the process
          reject(err)
          this.destroy()
        }
      }
      this.pending = (err) => settle(() => reject(err))
      const query = this.raw.query({ sql, rowsAsArray: true, typeCast: false })
      query.on('fields', (defs: ColumnDef[] | undefined) => {
        // a second result set (CALL) is ignored, like an OK packet after it
        if (defs && !fields) {
          fields = defs
          rows = new RowEncoder(maxResultBytes)
        }
      })
      query.on('result', (row: unknown) => {
        if (settled) return
        if (!Array.isArray(row)) {
          if (!fields) ok = row as OkPacket
          return
        }
        let fits = true
        try {
          fits = !rows || rows.push(row as (Buffer | null)[])
        } catch (err) {
          settle(() => reject(err))
          this.destroy()
          return
        }
        if (!fits && !drain) {
          // abandon the transfer: reading gigabytes just to discard them is worse
          settle(() => resolve({ kind: 'too-large', limit: maxResultBytes }))
          this.destroy()
        }
      })
      query.on('error', (err: SqlErr) => {
        if (err.fatal || typeof err.errno !== 'number' || !err.sqlState) {
          settle(() => reject(err))
        } else {
          const message = err.sqlMessage ?? err.message
          settle(() =>
            resolve({
              kind: 'sql-error',
              errno: err.errno as number,
              sqlState: err.sqlState as string,
              message,
            })
          )
        }
      })
      query.on('end', () =>
        settle(() => {
          if (rows && fields) {
            if (rows.overflow) resolve({ kind: 'too-large', limit: maxResultBytes })
            else
              resolve({
                kind: 'rows',
                json: rowsResultJson(fieldsJson(fields, this.mariadb), rows),
              })
          } else {
            const packet = ok ?? { affectedRows: 0, insertId: 0, serverStatus: STATUS_AUTOCOMMIT }
            const insertId = uint64String(packet.insertId)
            resolve({
              kind: 'ok',
              json: okResultJson(String(packet.affectedRows ?? 0), insertId),
              status: packet.serverStatus ?? STATUS_AUTOCOMMIT,
              insertId,
            })
          }
        })
      )
    })
  }

  destroy(): void {
    if (!this.dead) {
      this.dead = true
      this.onDead?.(this)
    }
    this.raw.destroy()
    this.fail(new Error('Connection destroyed'))
  }

  end(): Promise<void> {
    if (this.dead) return Promise.resolve()
    this.dead = true
    this.onDead?.(this)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.raw.destroy()
        resolve()
      }, 1000)
      this.raw.end(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }
}

/** Opens a connection with CLIENT_FOUND_ROWS as configured and multi-statements off. */
export function openConnection(target: MysqlTarget, database?: string): Promise<DbConn> {
  return new Promise((resolve, reject) => {
    const raw = createConnection({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database,
      charset: 'utf8mb4_general_ci',
      flags: [
        target.clientFoundRows ? 'FOUND_ROWS' : '-FOUND_ROWS',
        '-MULTI_STATEMENTS',
        '-MULTI_RESULTS',
        '-LOCAL_FILES',
      ],
      supportBigNumbers: true,
      bigNumberStrings: true,
      connectTimeout: 5000,
      enableKeepAlive: true,
    }) as unknown as RawConnection
    raw.on('error', () => {})
    const onError = (err: Error) => {
      raw.destroy()
      reject(err)
    }
    raw.once('error', onError)
    raw.once('connect', () => {
      raw.removeListener('error', onError)
      const conn = new DbConn(raw)
      conn.run(setupSql(target, conn.mariadb), 1 << 20).then((outcome) => {
        if (outcome.kind === 'sql-error') {
          conn.destroy()
          reject(Object.assign(new Error(outcome.message), { errno: outcome.errno }))
        } else resolve(conn)
      }, reject)
    })
  })
}
