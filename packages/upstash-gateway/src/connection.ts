import { connect, type Socket } from 'node:net'
import { HttpError } from '@edge-status/gateway-kit'
import { type Arg, encodeCommands, type Reply, RespError, RespParser } from './resp.ts'
import type { RedisTarget } from './target.ts'
import { handshakeCommands } from './tenant-user.ts'

export type { RedisTarget }

interface Pending {
  replies: Reply[]
  count: number
  resolve: (replies: Reply[]) => void
  reject: (error: Error) => void
}

/**
 * One Redis socket. Batches written with send() are answered in order (RESP pipelining), so
 * several requests may share it; a socket that fails in any way is destroyed, never reused.
 */
export class RedisConnection {
  dead = false
  private readonly socket: Socket
  private readonly parser: RespParser
  private readonly queue: Pending[] = []
  private readonly target: RedisTarget
  private connected = false
  private ready = false
  private backlog: Buffer[] = []
  private outbox: Buffer[] = []
  private flushScheduled = false
  private closing = false
  private readonly closed: Promise<void>

  constructor(target: RedisTarget, onDead: (conn: RedisConnection) => void) {
    this.target = target
    this.parser = new RespParser((reply) => this.onReply(reply))
    this.socket = connect({ host: target.host, port: target.port, noDelay: true, keepAlive: true })
    this.socket.setTimeout(target.timeoutMs)
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()))
    this.socket.on('connect', () => {
      this.connected = true
    })
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.parser.feed(chunk)
      } catch (error) {
        this.destroy(new HttpError(502, `ERR Redis protocol error: ${(error as Error).message}`))
      }
    })
    this.socket.on('timeout', () => {
      if (!this.connected) {
        this.destroy(this.socketError(new Error(`connect timed out after ${target.timeoutMs} ms`)))
      } else if (this.queue.length > 0) {
        this.destroy(new HttpError(504, `ERR Redis did not answer within ${target.timeoutMs} ms`))
      }
    })
    this.socket.on('error', (error) => this.destroy(this.socketError(error)))
    this.socket.on('close', () => {
      this.destroy(this.socketError(new Error('connection closed')))
      onDead(this)
    })
    this.handshake()
  }

  get inFlight(): number {
    return this.queue.length
  }

  /** Sends commands as one write and resolves with exactly one reply per command. */
  send(commands: readonly (readonly Arg[])[]): Promise<Reply[]> {
    return this.sendEncoded(encodeCommands(commands), commands.length)
  }

  sendEncoded(payload: Buffer, count: number): Promise<Reply[]> {
    if (this.dead) return Promise.reject(new HttpError(502, 'ERR Redis connection lost'))
    return new Promise((resolve, reject) => {
      this.queue.push({ replies: [], count, resolve, reject })
      if (!this.ready) {
        this.backlog.push(payload)
        return
      }
      this.outbox.push(payload)
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(this.flush)
      }
    })
  }

  // Requests parsed in the same event-loop turn share one write (and Redis one read): syscalls,
  // not Redis, are what a loopback gateway spends its time on.
  private readonly flush = (): void => {
    this.flushScheduled = false
    if (this.dead) return
    const outbox = this.outbox
    if (outbox.length === 1) this.socket.write(outbox[0] as Buffer)
    else if (outbox.length > 1) this.socket.write(Buffer.concat(outbox))
    this.outbox = []
  }

  /** Lets outstanding replies arrive, then closes the socket. */
  async close(): Promise<void> {
    this.closing = true
    if (this.queue.length === 0) this.socket.end()
    await this.closed
  }

  destroy(error: Error): void {
    if (this.dead) return
    this.dead = true
    this.backlog = []
    this.outbox = []
    this.socket.destroy()
    for (const pending of this.queue.splice(0)) pending.reject(error)
  }

  // AUTH and SELECT must succeed before any request is written: a failed SELECT followed by
  // pipelined writes would otherwise land in database 0, a failed AUTH run them as the admin.
  private handshake(): void {
    const setup = handshakeCommands(this.target)
    if (setup.length === 0) {
      this.ready = true
      return
    }
    this.queue.push({
      replies: [],
      count: setup.length,
      resolve: (replies) => {
        const failed = replies.find((r) => r instanceof RespError)
        if (failed) {
          const message = `ERR Redis rejected the connection setup: ${failed.message}`
          this.destroy(new HttpError(503, message))
          return
        }
        this.ready = true
        for (const payload of this.backlog) this.socket.write(payload)
        this.backlog = []
      },
      reject: () => {},
    })
    this.socket.write(encodeCommands(setup))
  }

  private onReply(reply: Reply): void {
    const pending = this.queue[0]
    if (pending === undefined) {
      this.destroy(new HttpError(502, 'ERR Redis protocol error: unexpected reply'))
      return
    }
    pending.replies.push(reply)
    if (pending.replies.length < pending.count) return
    this.queue.shift()
    pending.resolve(pending.replies)
    if (this.closing && this.queue.length === 0) this.socket.end()
  }

  private socketError(error: Error): HttpError {
    const { host, port } = this.target
    if (!this.connected) {
      return new HttpError(503, `ERR Redis unavailable at ${host}:${port}: ${error.message}`)
    }
    return new HttpError(502, `ERR Redis connection lost: ${error.message}`)
  }
}
