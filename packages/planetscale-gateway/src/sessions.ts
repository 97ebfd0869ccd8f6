// Sessions (PROTOCOL.md §7): an opaque, HMAC-signed object echoed by the driver, and the registry
// of MySQL connections pinned to a session while it is in a transaction or holds session state.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { DbConn } from './mysql.ts'

export interface SessionClaims {
  id: string
  /** The client was told a transaction is open on this session. */
  inTransaction: boolean
  /** The client was told the session holds connection state (SET @x, temp tables…). */
  inReservedConn: boolean
  lastInsertId: string
}

export interface ParsedSession extends SessionClaims {
  verified: boolean
}

export function newClaims(): SessionClaims {
  return { id: randomUUID(), inTransaction: false, inReservedConn: false, lastInsertId: '0' }
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
const UINT_PATTERN = /^\d{1,20}$/

export class SessionCodec {
  private readonly key = randomBytes(32)
  private readonly prefixes = new Map<string, string>()
  private readonly clientFoundRows: boolean

  constructor(clientFoundRows: boolean) {
    this.clientFoundRows = clientFoundRows
  }

  private mac(user: string, c: SessionClaims): Buffer {
    const payload = `${user}\n${c.id}\n${+c.inTransaction}${+c.inReservedConn}\n${c.lastInsertId}`
    return createHmac('sha256', this.key).update(payload).digest()
  }

  /** The session object in the shape of a Vitess session, plus the flags this gateway needs. */
  encode(user: string, database: string, c: SessionClaims): string {
    let prefix = this.prefixes.get(database)
    if (prefix === undefined) {
      prefix =
        `{"autocommit":true,"targetString":${JSON.stringify(database)},` +
        `"options":{"includedFields":"ALL","clientFoundRows":${this.clientFoundRows}},` +
        '"DDLStrategy":"direct","enableSystemSettings":true,"SessionUUID":'
      this.prefixes.set(database, prefix)
    }
    let vitess = `${prefix}"${c.id}"`
    if (c.inTransaction) vitess += ',"inTransaction":true'
    if (c.inReservedConn) vitess += ',"inReservedConn":true'
    if (c.lastInsertId !== '0') vitess += `,"lastInsertId":"${c.lastInsertId}"`
    const signature = this.mac(user, c).toString('base64')
    return `{"signature":"${signature}","vitessSession":${vitess}}}`
  }

  /** null when there is no usable session (a first call, or an object we never issued). */
  decode(user: string, raw: unknown): ParsedSession | null {
    if (raw === null || typeof raw !== 'object') return null
    const { signature, vitessSession: vs } = raw as { signature?: unknown; vitessSession?: unknown }
    if (vs === null || typeof vs !== 'object') return null
    const v = vs as Record<string, unknown>
    if (typeof v.SessionUUID !== 'string' || !ID_PATTERN.test(v.SessionUUID)) return null
    const claims: SessionClaims = {
      id: v.SessionUUID,
      inTransaction: v.inTransaction === true,
      inReservedConn: v.inReservedConn === true,
      lastInsertId:
        typeof v.lastInsertId === 'string' && UINT_PATTERN.test(v.lastInsertId)
          ? v.lastInsertId
          : '0',
    }
    let verified = false
    if (typeof signature === 'string') {
      const given = Buffer.from(signature, 'base64')
      const expected = this.mac(user, claims)
      verified = given.length === expected.length && timingSafeEqual(given, expected)
    }
    return { ...claims, verified }
  }
}

export interface PinnedSession {
  id: string
  user: string
  conn: DbConn
  inTransaction: boolean
  /** A request is running on the connection; a second one is refused, never interleaved. */
  busy: boolean
  timer: NodeJS.Timeout | null
}

export interface RegistryOptions {
  transactionIdleMs: number
  sessionIdleMs: number
  maxPinned: number
}

export class SessionRegistry {
  private readonly pinned = new Map<string, PinnedSession>()
  private readonly opts: RegistryOptions

  constructor(opts: RegistryOptions) {
    this.opts = opts
  }

  get size(): number {
    return this.pinned.size
  }

  get(id: string, user: string): PinnedSession | undefined {
    const entry = this.pinned.get(id)
    return entry && entry.user === user ? entry : undefined
  }

  /** undefined when too many sessions are pinned already. */
  pin(id: string, user: string, conn: DbConn, inTransaction: boolean): PinnedSession | undefined {
    if (this.pinned.size >= this.opts.maxPinned) return undefined
    const entry: PinnedSession = { id, user, conn, inTransaction, busy: false, timer: null }
    this.pinned.set(id, entry)
    this.touch(entry)
    return entry
  }

  /** (Re)starts the idle clock after a request on the session finished. */
  touch(entry: PinnedSession): void {
    if (entry.timer) clearTimeout(entry.timer)
    const ms = entry.inTransaction ? this.opts.transactionIdleMs : this.opts.sessionIdleMs
    entry.timer = setTimeout(() => this.reap(entry), ms)
    entry.timer.unref()
  }

  private reap(entry: PinnedSession): void {
    entry.timer = null
    if (entry.busy || this.pinned.get(entry.id) !== entry) return
    // the next call on this session sees no entry and fails with ABORTED (never autocommit)
    this.remove(entry)
    entry.conn.destroy()
  }

  remove(entry: PinnedSession): void {
    if (entry.timer) clearTimeout(entry.timer)
    entry.timer = null
    if (this.pinned.get(entry.id) === entry) this.pinned.delete(entry.id)
  }

  closeAll(): void {
    for (const entry of [...this.pinned.values()]) {
      this.remove(entry)
      entry.conn.destroy()
    }
  }
}
