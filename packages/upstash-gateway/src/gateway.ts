// An Upstash-compatible REST gateway in front of Redis, for the unmodified @upstash/redis client.
// The wire protocol it speaks is described in PROTOCOL.md beside this folder.
import type { IncomingMessage } from 'node:http'
import {
  type Answer,
  type HttpError,
  type Route,
  type RunningGateway,
  serverAddress,
  startServer,
} from '@edge-status/gateway-kit'
import type { RedisTarget } from './connection.ts'
import { errorJson, wantsBase64 } from './encode.ts'
import { type Outcome, runMulti, runPipeline, runSingle, type Tenant } from './execute.ts'
import { pathStyleRoute } from './path-style.ts'
import { TokenPool } from './pool.ts'
import { ReadOnlyCommands } from './read-only.ts'
import { Replication } from './replica.ts'
import { type Reply, RespError } from './resp.ts'
import { ScriptRegistry } from './scripts.ts'
import { streamRoute } from './streams.ts'
import { INFO_REPLICATION, positionOf, ReplicaProgress } from './sync-token.ts'
import { copySwitch } from './tenant-user.ts'

export type { RunningGateway }

export interface UpstashGatewayOptions {
  /** e.g. redis://127.0.0.1:6379 (user and password are used for AUTH; the path is ignored) */
  redisUrl: string
  /** bearer token -> Redis logical database (separate key spaces) */
  tokens: Record<string, number>
  /** default 127.0.0.1 */
  host?: string
  /** default 0 (ephemeral) */
  port?: number
  /** default 10 MiB; larger -> 413 {"error":"ERR max request size exceeded"} */
  maxBodyBytes?: number
  /** shared connections per token (transactions may borrow as many again), default 8 */
  poolSize?: number
  /** a Redis connection that owes replies and stays silent this long is dropped, default 10 s */
  commandTimeoutMs?: number
  /** every answer waits this long before it is sent, default 0 (with a replica: the primary's) */
  latencyMs?: number
  /** a replica of redisUrl, which answers the requests that only read (PROTOCOL.md §9) */
  replica?: ReplicaOptions
}

export interface ReplicaOptions {
  /** e.g. redis://127.0.0.1:6380, a Redis replicating redisUrl (REPLICAOF) */
  redisUrl: string
  /** answers from the replica wait this long instead of latencyMs, default 0 */
  latencyMs?: number
  /** how long a read carrying a sync token waits for the replica before the primary answers */
  syncWaitMs?: number
}

export const DEFAULT_SYNC_WAIT_MS = 1000

type ServedTenant = Tenant & { pool: TokenPool; replicaPool?: TokenPool }

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024

export async function startUpstashGateway(options: UpstashGatewayOptions): Promise<RunningGateway> {
  const timeoutMs = options.commandTimeoutMs ?? 10_000
  const primary = redisAt(options.redisUrl, timeoutMs)
  const replica = options.replica && redisAt(options.replica.redisUrl, timeoutMs)
  const scripts = new ScriptRegistry()
  // Map, not object: a token may be any string, "__proto__" included.
  const tenants = new Map<string, ServedTenant>()
  for (const [token, db] of Object.entries(options.tokens)) {
    if (!Number.isInteger(db) || db < 0) throw new Error(`token database must be an integer >= 0`)
    const target: RedisTarget = { ...primary, db, tenant: true }
    const pool = new TokenPool(target, options.poolSize ?? 8)
    const replicaPool =
      replica && new TokenPool({ ...replica, db, tenant: true }, options.poolSize ?? 8)
    tenants.set(token, { target, pool, scripts, replicaPool, copy: copySwitch(target) })
  }
  const replicated = replica && (await startReplication(options, primary, replica))
  const replication = replicated?.replication

  const routes: Record<string, Route<ServedTenant>> = {
    '/': command(runSingle),
    '/pipeline': command(runPipeline),
    '/multi-exec': command(runMulti),
    '/subscribe/*': streamRoute('subscribe'),
    '/psubscribe/*': streamRoute('psubscribe'),
    '/monitor': streamRoute('monitor'),
    '/*': pathStyleRoute(),
  }
  if (replication) {
    for (const path of ['/', '/pipeline', '/multi-exec', '/*']) {
      routes[path] = replication.route(routes[path] as Route<Tenant>)
    }
  }

  return startServer<ServedTenant>(
    {
      name: 'upstash-gateway',
      routes,
      authenticate(req, search) {
        const token = tokenOf(req, search)
        const tenant = token === undefined ? undefined : tenants.get(token)
        return tenant && { credential: token as string, user: tenant }
      },
      errorAnswer,
      headers: replication
        ? () => ({ 'upstash-sync-token': replication.currentToken() })
        : syncTokenHeader,
      async check() {
        for (const [token, tenant] of tenants) {
          const db = options.tokens[token]
          await ping(tenant.pool, `Redis at ${primary.host}:${primary.port}, database ${db}`)
          if (tenant.replicaPool && replica) {
            const where = `the replica Redis at ${replica.host}:${replica.port}, database ${db}`
            await ping(tenant.replicaPool, where)
          }
        }
      },
      async close() {
        await replicated?.close()
        await Promise.all(
          [...tenants.values()].flatMap((tenant) => [
            tenant.pool.close(),
            tenant.replicaPool?.close(),
          ])
        )
      },
    },
    {
      host: options.host,
      port: options.port,
      latencyMs: options.latencyMs,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      keepAliveTimeoutMs: 65_000,
    }
  )
}

function redisAt(url: string, timeoutMs: number): Omit<RedisTarget, 'db'> {
  const { host, port, user, password } = serverAddress(url, 6379)
  return { host, port, username: user || undefined, password: password || undefined, timeoutMs }
}

async function ping(pool: TokenPool, where: string): Promise<void> {
  const [reply] = await pool.run([['PING']]).catch((error: Error) => {
    throw new Error(`cannot use ${where}: ${error.message.replace(/^ERR /, '')}`)
  })
  if (reply instanceof RespError) throw new Error(`${where} refused PING: ${reply.message}`)
}

/**
 * What routing needs, read once at start: Redis's command table (which commands only read) and
 * both servers' replication positions. The replica's is polled again only while reads wait.
 */
async function startReplication(
  options: UpstashGatewayOptions,
  primary: Omit<RedisTarget, 'db'>,
  replica: Omit<RedisTarget, 'db'>
): Promise<{ replication: Replication; close(): Promise<void> }> {
  const setup = new TokenPool({ ...primary, db: 0 }, 1)
  let table: Reply
  let info: Reply
  try {
    ;[table, info] = (await setup.run([['COMMAND'], INFO_REPLICATION])) as [Reply, Reply]
  } catch (error) {
    throw new Error(
      `cannot read the command table of Redis at ${primary.host}:${primary.port}: ${(error as Error).message}`
    )
  } finally {
    await setup.close()
  }
  const replicaInfo = new TokenPool({ ...replica, db: 0 }, 1)
  const progress = new ReplicaProgress(
    async () => (await replicaInfo.run([INFO_REPLICATION]))[0] as Reply
  )
  // The admin's own connection: a token's ACL user may not run INFO.
  const primaryInfo = new TokenPool({ ...primary, db: 0 }, 2)
  const replication = new Replication(
    ReadOnlyCommands.fromCommandReply(table),
    progress,
    async () => (await primaryInfo.run([INFO_REPLICATION]))[0] as Reply,
    {
      nearMs: options.replica?.latencyMs ?? 0,
      farMs: options.latencyMs ?? 0,
      syncWaitMs: options.replica?.syncWaitMs ?? DEFAULT_SYNC_WAIT_MS,
    }
  )
  replication.primary = positionOf(info)
  // A replica still connecting is no reason not to start: reads then wait, or go to the primary.
  await progress.refresh().catch(() => undefined)
  const close = async () => {
    progress.close()
    await Promise.all([replicaInfo.close(), primaryInfo.close()])
  }
  return { replication, close }
}

type Runner = (tenant: Tenant, body: string, base64: boolean) => Promise<Outcome>

/** A route taking a JSON body: one command, a pipeline or a transaction. */
function command(run: Runner): Route<Tenant> {
  return {
    methods: ['POST', 'PUT'],
    async handle(ctx) {
      const [status, body] = await run(ctx.user, await ctx.body(), wantsBase64(ctx.req))
      return { status, body }
    },
  }
}

/** Every error reads like a Redis error: an upper-case code first, as clients expect. */
function errorAnswer(error: HttpError): Answer {
  let message = error.message
  if (error.status === 401) message = 'Unauthorized'
  else if (error.status === 413) message = 'ERR max request size exceeded'
  else if (!/^[A-Z]+ /.test(message)) message = `ERR ${message}`
  return { status: error.status, body: errorJson(message) }
}

let syncSeq = Math.floor(Math.random() * 1e9)

/** Opaque and different on every answer: clients echo it back and the gateway ignores it. */
function syncTokenHeader(): Record<string, string> {
  return { 'upstash-sync-token': (++syncSeq).toString(36) }
}

function tokenOf(req: IncomingMessage, search: string): string | undefined {
  const header = req.headers.authorization
  if (header !== undefined && header.length > 7 && header.slice(0, 7).toLowerCase() === 'bearer ') {
    return header.slice(7).trim()
  }
  if (search.includes('_token=')) return new URLSearchParams(search).get('_token') ?? undefined
  return undefined
}
