// The upstash-sync-token of a replicated gateway: a position in the primary's replication stream.
// After a write the gateway reads the primary's master_repl_offset; a replica that has applied
// that many bytes of the stream has every write up to it. The token names the stream too (the
// start of its replication id), so a token from another primary is no promise at all.
import { type Reply, text } from './resp.ts'

export interface StreamPosition {
  /** first 8 characters of the replication id */
  stream: string
  offset: number
}

const TOKEN = /^([0-9a-f]{8})-([0-9a-z]{1,11})$/

export function encodeToken(position: StreamPosition): string {
  return `${position.stream}-${position.offset.toString(36)}`
}

/** undefined for anything else (the client's first request sends an empty token). */
export function decodeToken(token: string | string[] | undefined): StreamPosition | undefined {
  if (typeof token !== 'string') return undefined
  const match = TOKEN.exec(token)
  if (!match) return undefined
  const offset = Number.parseInt(match[2] as string, 36)
  return Number.isSafeInteger(offset) ? { stream: match[1] as string, offset } : undefined
}

/**
 * The position INFO replication reports: on a primary its own offset, on a replica how far it has
 * applied its primary's stream (a replica whose link never came up has no position).
 */
export function positionOf(reply: Reply): StreamPosition | undefined {
  if (!Buffer.isBuffer(reply) && typeof reply !== 'string') return undefined
  const fields = new Map<string, string>()
  for (const line of text(reply).split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1))
  }
  const id = fields.get('master_replid')
  const offset = Number(fields.get('slave_repl_offset') ?? fields.get('master_repl_offset'))
  if (id === undefined || id.length < 8 || !Number.isSafeInteger(offset) || offset < 0) {
    return undefined
  }
  return { stream: id.slice(0, 8), offset }
}

export const INFO_REPLICATION = ['INFO', 'replication']

/** The later of two positions of one stream; a position of another stream is ignored. */
export function later(
  a: StreamPosition | undefined,
  b: StreamPosition | undefined
): StreamPosition | undefined {
  if (a === undefined) return b
  if (b === undefined || a.stream !== b.stream) return a
  return a.offset >= b.offset ? a : b
}

interface Waiter {
  wanted: StreamPosition
  resolve: (reached: boolean) => void
}

/**
 * How far the replica has applied the primary's stream. The last position seen is kept; the
 * replica is polled (INFO replication every pollMs) only while a request waits for a position
 * it has not been seen to reach.
 */
export class ReplicaProgress {
  private known: StreamPosition | undefined
  private readonly waiters = new Set<Waiter>()
  private polling = false
  private closed = false
  private readonly info: () => Promise<Reply>
  private readonly pollMs: number

  constructor(info: () => Promise<Reply>, pollMs = 2) {
    this.info = info
    this.pollMs = pollMs
  }

  /** The last position seen on the replica. */
  get position(): StreamPosition | undefined {
    return this.known
  }

  /** Reads the replica's position now. */
  async refresh(): Promise<StreamPosition | undefined> {
    const fresh = positionOf(await this.info())
    // A replica that resynchronised from another primary starts over on a new stream.
    if (fresh) this.known = fresh.stream === this.known?.stream ? later(fresh, this.known) : fresh
    return this.known
  }

  /** Has the replica been seen to apply the stream up to `wanted`? */
  reached(wanted: StreamPosition): boolean {
    const known = this.known
    return known !== undefined && known.stream === wanted.stream && known.offset >= wanted.offset
  }

  /** true once the replica has applied `wanted`, false if it has not within timeoutMs. */
  waitFor(wanted: StreamPosition, timeoutMs: number): Promise<boolean> {
    if (this.reached(wanted)) return Promise.resolve(true)
    if (timeoutMs <= 0 || this.closed) return Promise.resolve(false)
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.resolve(this.reached(wanted)), timeoutMs)
      const waiter: Waiter = {
        wanted,
        resolve: (reached) => {
          clearTimeout(timer)
          this.waiters.delete(waiter)
          resolve(reached)
        },
      }
      this.waiters.add(waiter)
      void this.poll()
    })
  }

  close(): void {
    this.closed = true
    for (const waiter of [...this.waiters]) waiter.resolve(false)
  }

  private async poll(): Promise<void> {
    if (this.polling) return
    this.polling = true
    try {
      while (this.waiters.size > 0 && !this.closed) {
        // A replica that does not answer is waited for until each waiter's time is up.
        await this.refresh().catch(() => undefined)
        for (const waiter of [...this.waiters]) {
          if (this.reached(waiter.wanted)) waiter.resolve(true)
        }
        if (this.waiters.size > 0) await new Promise((r) => setTimeout(r, this.pollMs))
      }
    } finally {
      this.polling = false
    }
  }
}
