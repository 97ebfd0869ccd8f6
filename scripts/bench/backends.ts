// The bench's own corner of the shared Redis and MariaDB (so nothing collides with tests or dev
// data), direct clients for both, and the reset between runs.
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import {
  encodeCommands,
  type Reply,
  RespError,
  RespParser,
} from '@edge-status/upstash-gateway/resp'
import { createConnection } from 'mysql2/promise'

export const BENCH_REDIS_DB = 7
export const BENCH_DATABASE = 'edge_status_bench'
export const BENCH_DB_USER = 'bench'

export interface Backends {
  redisUrl: string
  mysqlUrl: string
  /** gateway credentials, fresh per run */
  upstashToken: string
  dbPassword: string
}

export function backendsFromEnv(): Backends {
  return {
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    mysqlUrl: process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
    upstashToken: `bench-${randomBytes(9).toString('base64url')}`,
    dbPassword: randomBytes(12).toString('hex'),
  }
}

/**
 * A minimal RESP client on one socket: the command is written at once (no batching), one reply
 * per command in order. The "direct" baseline: what a Node process talking RESP itself pays.
 */
export class RespSocket {
  private readonly socket: Socket
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = []
  private readonly parser = new RespParser((reply) => this.onReply(reply))
  private readonly ready: Promise<void>

  constructor(redisUrl: string, db: number) {
    const url = new URL(redisUrl)
    this.socket = connect({
      host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
      port: Number(url.port || 6379),
      noDelay: true,
    })
    this.socket.on('data', (chunk: Buffer) => this.parser.feed(chunk))
    this.socket.on('error', (error) => {
      for (const waiter of this.waiting.splice(0)) waiter.reject(error)
    })
    const auth: string[][] = []
    if (url.password) {
      const password = decodeURIComponent(url.password)
      auth.push(
        url.username ? ['AUTH', decodeURIComponent(url.username), password] : ['AUTH', password]
      )
    }
    this.ready = Promise.all([...auth, ['SELECT', String(db)]].map((c) => this.send(c))).then(
      () => {}
    )
  }

  private onReply(reply: Reply): void {
    const waiter = this.waiting.shift()
    if (!waiter) return
    if (reply instanceof RespError) waiter.reject(new Error(reply.message))
    else waiter.resolve(reply)
  }

  private send(command: readonly string[]): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject })
      this.socket.write(encodeCommands([command]))
    })
  }

  async command(...args: string[]): Promise<Reply> {
    await this.ready
    return this.send(args)
  }

  close(): void {
    this.socket.end()
  }
}

/** Empties the bench's Redis database and the bench schema's tables (it keeps the schema). */
export async function resetBenchData(backends: Backends): Promise<void> {
  const redis = new RespSocket(backends.redisUrl, BENCH_REDIS_DB)
  try {
    await redis.command('FLUSHDB')
  } finally {
    redis.close()
  }
  const mysql = await createConnection({ uri: backends.mysqlUrl, database: BENCH_DATABASE })
  try {
    for (const table of ['statuses', 'users']) await mysql.query(`TRUNCATE TABLE ${table}`)
  } finally {
    await mysql.end()
  }
}

export const planetscaleUsers = (backends: Backends) => ({
  [BENCH_DB_USER]: { password: backends.dbPassword, database: BENCH_DATABASE },
})

export const databaseUrlFor = (backends: Backends, gatewayPort: number) =>
  `http://${BENCH_DB_USER}:${backends.dbPassword}@127.0.0.1:${gatewayPort}`
