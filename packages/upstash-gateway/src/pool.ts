import { HttpError } from '@edge-status/gateway-kit'
import { RedisConnection, type RedisTarget } from './connection.ts'
import type { Arg, Reply } from './resp.ts'

const BUSY = 64

/**
 * The Redis connections of one token (one logical database).
 * Shared connections carry plain commands and pipelines from many requests at once (each request
 * is one contiguous write, replies come back in order). Transactions borrow a connection of their
 * own that no other request can write to until EXEC has answered.
 */
export class TokenPool {
  private readonly target: RedisTarget
  private readonly size: number
  private readonly shared: RedisConnection[] = []
  private readonly idle: RedisConnection[] = []
  private readonly waiting: {
    resolve: (conn: RedisConnection) => void
    reject: (error: Error) => void
  }[] = []
  private readonly all = new Set<RedisConnection>()
  private exclusiveCount = 0
  private closed = false

  constructor(target: RedisTarget, size: number) {
    this.target = target
    this.size = Math.max(1, size)
  }

  /** Runs commands on a shared connection: one write, one reply per command. */
  run(commands: readonly (readonly Arg[])[]): Promise<Reply[]> {
    if (this.closed) return Promise.reject(new HttpError(503, 'ERR gateway is closing'))
    return this.pickShared().send(commands)
  }

  /** Runs fn with a connection nobody else writes to until fn settles. */
  async exclusive<T>(fn: (conn: RedisConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new HttpError(503, 'ERR gateway is closing')
    const conn = await this.acquire()
    try {
      return await fn(conn)
    } finally {
      this.release(conn)
    }
  }

  async close(): Promise<void> {
    this.closed = true
    // A request queued for a connection would otherwise wait forever.
    for (const waiter of this.waiting.splice(0))
      waiter.reject(new HttpError(503, 'ERR gateway is shutting down'))
    await Promise.all([...this.all].map((conn) => conn.close()))
  }

  // Fill the first connection before opening the next: batches from concurrent requests then
  // share writes and reads. More connections only spread a deep backlog.
  private pickShared(): RedisConnection {
    let best: RedisConnection | undefined
    for (let i = 0; i < this.shared.length; i++) {
      const conn = this.shared[i] as RedisConnection
      if (conn.dead) {
        this.shared.splice(i--, 1)
        continue
      }
      if (conn.inFlight < BUSY) return conn
      if (best === undefined || conn.inFlight < best.inFlight) best = conn
    }
    if (best !== undefined && this.shared.length >= this.size) return best
    const conn = this.open()
    this.shared.push(conn)
    return conn
  }

  private acquire(): Promise<RedisConnection> {
    while (this.idle.length > 0) {
      const conn = this.idle.pop() as RedisConnection
      if (!conn.dead) return Promise.resolve(conn)
      this.exclusiveCount--
    }
    if (this.exclusiveCount < this.size) {
      this.exclusiveCount++
      return Promise.resolve(this.open())
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }))
  }

  private release(conn: RedisConnection): void {
    if (conn.dead || conn.inFlight > 0 || this.closed) {
      // Never hand on a connection that might still owe replies (or be inside MULTI).
      if (!conn.dead) conn.destroy(new HttpError(502, 'ERR connection discarded'))
      const next = this.waiting.shift()
      if (next && !this.closed) next.resolve(this.open())
      else this.exclusiveCount--
      return
    }
    const next = this.waiting.shift()
    if (next) next.resolve(conn)
    else this.idle.push(conn)
  }

  private open(): RedisConnection {
    const conn = new RedisConnection(this.target, (dead) => this.all.delete(dead))
    this.all.add(conn)
    return conn
  }
}
