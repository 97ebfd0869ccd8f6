// A small pool of set-up connections to one database. Connections pinned to a session are
// detached from it, so abandoned sessions cannot starve session-less queries.
import type { DbConn } from './mysql.ts'

interface Waiter {
  resolve: (conn: DbConn) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export class PoolTimeoutError extends Error {}

export class Pool {
  private readonly idle: DbConn[] = []
  private readonly waiters: Waiter[] = []
  private total = 0
  private closed = false
  private readonly size: number
  private readonly open: () => Promise<DbConn>
  private readonly acquireTimeoutMs: number

  constructor(open: () => Promise<DbConn>, size: number, acquireTimeoutMs = 10_000) {
    this.open = open
    this.size = Math.max(1, size)
    this.acquireTimeoutMs = acquireTimeoutMs
  }

  acquire(): Promise<DbConn> {
    if (this.closed) return Promise.reject(new Error('gateway is closing'))
    for (let conn = this.idle.pop(); conn; conn = this.idle.pop()) {
      if (!conn.dead) return Promise.resolve(conn)
    }
    if (this.total < this.size) return this.create()
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter)
          if (i >= 0) this.waiters.splice(i, 1)
          reject(new PoolTimeoutError('timed out waiting for a MySQL connection'))
        }, this.acquireTimeoutMs),
      }
      this.waiters.push(waiter)
    })
  }

  private async create(): Promise<DbConn> {
    this.total++
    try {
      const conn = await this.open()
      conn.onDead = (dead) => this.forget(dead)
      return conn
    } catch (err) {
      this.total--
      this.serveWaiter()
      throw err
    }
  }

  /** Returns a clean connection; a dead or dirty one is replaced. */
  release(conn: DbConn): void {
    if (conn.dead || conn.dirty || this.closed) {
      this.discard(conn)
      return
    }
    const waiter = this.waiters.shift()
    if (waiter) {
      clearTimeout(waiter.timer)
      waiter.resolve(conn)
    } else this.idle.push(conn)
  }

  /** Drops a connection in an unknown state. */
  discard(conn: DbConn): void {
    if (!conn.dead) conn.destroy()
    else this.forget(conn)
  }

  /** The connection now belongs to a session and no longer counts against the pool. */
  detach(conn: DbConn): void {
    conn.onDead = null
    this.total--
    this.serveWaiter()
  }

  /** A formerly pinned connection comes back, if there is room for it. */
  adopt(conn: DbConn): void {
    if (conn.dead || conn.dirty || this.closed || this.total >= this.size) {
      conn.onDead = null
      if (!conn.dead) conn.destroy()
      return
    }
    this.total++
    conn.onDead = (dead) => this.forget(dead)
    this.release(conn)
  }

  private forget(conn: DbConn): void {
    if (conn.onDead === null) return
    conn.onDead = null
    this.total--
    const i = this.idle.indexOf(conn)
    if (i >= 0) this.idle.splice(i, 1)
    this.serveWaiter()
  }

  private serveWaiter(): void {
    if (this.closed || this.waiters.length === 0 || this.total >= this.size) return
    const waiter = this.waiters.shift() as Waiter
    clearTimeout(waiter.timer)
    this.create().then(waiter.resolve, waiter.reject)
  }

  async close(): Promise<void> {
    this.closed = true
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer)
      waiter.reject(new Error('gateway is closing'))
    }
    await Promise.all(this.idle.splice(0).map((conn) => conn.end()))
  }
}
