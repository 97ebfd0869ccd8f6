// SUBSCRIBE, PSUBSCRIBE and MONITOR as server-sent events: each stream has a Redis connection of
// its own, and every reply Redis pushes becomes one `data: …` event, the comma-separated form
// @upstash/redis parses (`subscribe,chat,1`, `message,chat,hello`, `pmessage,user:*,user:1,hi`).
// The connection closes with the stream, which ends the subscription in Redis.

import type { ServerResponse } from 'node:http'
import { connect, type Socket } from 'node:net'
import { HttpError, type Route, type StreamAnswer } from '@edge-status/gateway-kit'
import { channelPrefix, withoutPrefix } from './channels.ts'
import type { RedisTarget } from './connection.ts'
import type { Tenant } from './execute.ts'
import { pathSegments } from './path-style.ts'
import { encodeCommands, type Reply, RespError, RespParser } from './resp.ts'
import { handshakeCommands } from './tenant-user.ts'

export type StreamKind = 'subscribe' | 'psubscribe' | 'monitor'

/** A consumer this far behind loses its stream rather than the gateway its memory. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024

export function streamRoute(kind: StreamKind): Route<Tenant> {
  return {
    methods: ['GET', 'POST'],
    async handle(ctx): Promise<StreamAnswer> {
      const names = kind === 'monitor' ? [] : pathSegments(ctx.path).slice(1)
      if (kind !== 'monitor' && names.length === 0) {
        throw new HttpError(400, `ERR wrong number of arguments for '${kind}' command`)
      }
      const stream = await RedisStream.open(ctx.user.target, kind, names)
      return {
        status: 200,
        headers: {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
        },
        stream: (res, signal) => stream.pipe(res, signal),
      }
    },
  }
}

/** One `data:` event; a payload with line breaks takes one `data:` line per line. */
export function sseEvent(text: string): string {
  return `${text
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`
}

const str = (reply: Reply | undefined) =>
  Buffer.isBuffer(reply) || typeof reply === 'string' ? reply.toString() : String(reply)

class RedisStream {
  private readonly socket: Socket
  private readonly db: number
  /** The token's channels are `<prefix><name>` in Redis (channels.ts). */
  readonly prefix: string
  /** Events that arrived before the HTTP answer started (an added latency, the head). */
  private pending: string[] = []
  private write: ((event: string) => void) | undefined
  private ended: (() => void) | undefined
  private done = false

  private constructor(socket: Socket, db: number) {
    this.socket = socket
    this.db = db
    this.prefix = channelPrefix(db)
  }

  /** Resolves once Redis confirmed the subscription (or MONITOR); throws a 503 if it cannot. */
  static open(target: RedisTarget, kind: StreamKind, names: string[]): Promise<RedisStream> {
    const socket = connect({ host: target.host, port: target.port, noDelay: true })
    const stream = new RedisStream(socket, target.db)
    // A SUBSCRIBE runs as the token's own user. MONITOR is an admin command (it shows every
    // database, filtered below); Redis 7.0 lets a user PSUBSCRIBE only to the exact patterns of
    // its ACL, so a PSUBSCRIBE runs as the admin too, to the patterns the gateway prefixed.
    const setup = handshakeCommands(kind === 'subscribe' ? target : { ...target, tenant: false })
    const prefixed = names.map((name) => stream.prefix + name)
    setup.push(kind === 'monitor' ? ['MONITOR'] : [kind.toUpperCase(), ...prefixed])
    return new Promise((resolve, reject) => {
      let authReplies = setup.length - 1
      const fail = (message: string) => {
        socket.destroy()
        reject(
          new HttpError(503, `ERR Redis unavailable at ${target.host}:${target.port}: ${message}`)
        )
      }
      const parser = new RespParser((reply) => {
        if (authReplies > 0) {
          authReplies--
          if (reply instanceof RespError) fail(reply.message)
          return
        }
        if (reply instanceof RespError) {
          // Refused before it started (a bad pattern, ACL): a plain error; later, the end.
          reject(new HttpError(400, reply.message))
          return stream.finish()
        }
        const event = stream.format(kind, reply)
        if (event !== undefined) stream.emit(event)
        resolve(stream)
      })
      socket.on('data', (chunk: Buffer) => {
        try {
          parser.feed(chunk)
        } catch {
          stream.finish()
        }
      })
      socket.once('error', (error) => fail(error.message))
      socket.once('close', () => {
        fail('connection closed')
        stream.finish()
      })
      socket.write(encodeCommands(setup))
    })
  }

  /** Writes events until the client leaves, the gateway closes or Redis drops the connection. */
  pipe(res: ServerResponse, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      this.ended = resolve
      if (this.done || signal.aborted) return this.finish()
      signal.addEventListener('abort', () => this.finish(), { once: true })
      this.write = (event) => {
        res.write(event)
        if (res.writableLength > MAX_BUFFERED_BYTES) this.finish()
      }
      for (const event of this.pending.splice(0)) this.write(event)
    })
  }

  private emit(event: string): void {
    if (this.write) this.write(event)
    else this.pending.push(event)
  }

  private finish(): void {
    this.done = true
    this.socket.destroy()
    this.ended?.()
  }

  private format(kind: StreamKind, reply: Reply): string | undefined {
    if (kind === 'monitor') return this.monitorEvent(reply)
    if (!Array.isArray(reply)) return undefined
    // [kind, channel or pattern, …] and [pmessage, pattern, channel, message]: names unprefixed.
    const names = str(reply[0]) === 'pmessage' ? 2 : 1
    const parts = reply.map((part, i) =>
      i >= 1 && i <= names ? withoutPrefix(this.prefix, part) : part
    )
    return sseEvent(parts.map(str).join(','))
  }

  // MONITOR shows every database: a token sees its own, with clients' addresses hidden as
  // Upstash hides them (`[0 0.0.0.0:0]`). Connection setups (AUTH, SELECT) are the gateway's:
  // every new connection runs them in database 0, whichever token it is for.
  private monitorEvent(reply: Reply): string | undefined {
    const line = str(reply)
    if (line === 'OK') return sseEvent('"OK"')
    const match = /^(\S+) \[(\d+) ([^\]]*)\](.*)$/s.exec(line)
    if (!match || Number(match[2]) !== this.db) return undefined
    if (/^ "(?:AUTH|SELECT)"/i.test(match[4] as string)) return undefined
    const who = match[3] === 'lua' ? 'lua' : '0.0.0.0:0'
    return sseEvent(`${match[1]} [${match[2]} ${who}]${match[4]}`)
  }
}
