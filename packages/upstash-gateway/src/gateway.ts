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
import { RespError } from './resp.ts'
import { ScriptRegistry } from './scripts.ts'
import { streamRoute } from './streams.ts'
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
  /** every answer waits this long before it is sent, default 0 */
  latencyMs?: number
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024

export async function startUpstashGateway(options: UpstashGatewayOptions): Promise<RunningGateway> {
  const redis = serverAddress(options.redisUrl, 6379)
  const scripts = new ScriptRegistry()
  // Map, not object: a token may be any string, "__proto__" included.
  const tenants = new Map<string, Tenant>()
  for (const [token, db] of Object.entries(options.tokens)) {
    if (!Number.isInteger(db) || db < 0) throw new Error(`token database must be an integer >= 0`)
    const target: RedisTarget = {
      host: redis.host,
      port: redis.port,
      username: redis.user || undefined,
      password: redis.password || undefined,
      db,
      tenant: true,
      timeoutMs: options.commandTimeoutMs ?? 10_000,
    }
    const pool = new TokenPool(target, options.poolSize ?? 8)
    tenants.set(token, { target, pool, scripts, copy: copySwitch(target) })
  }

  const routes: Record<string, Route<Tenant>> = {
    '/': command(runSingle),
    '/pipeline': command(runPipeline),
    '/multi-exec': command(runMulti),
    '/subscribe/*': streamRoute('subscribe'),
    '/psubscribe/*': streamRoute('psubscribe'),
    '/monitor': streamRoute('monitor'),
    '/*': pathStyleRoute(),
  }

  return startServer<Tenant>(
    {
      name: 'upstash-gateway',
      routes,
      authenticate(req, search) {
        const token = tokenOf(req, search)
        const tenant = token === undefined ? undefined : tenants.get(token)
        return tenant && { credential: token as string, user: tenant }
      },
      errorAnswer,
      headers: syncTokenHeader,
      async check() {
        for (const [token, tenant] of tenants) {
          const where = `Redis at ${redis.host}:${redis.port}, database ${options.tokens[token]}`
          const [reply] = await tenant.pool.run([['PING']]).catch((error: Error) => {
            throw new Error(`cannot use ${where}: ${error.message.replace(/^ERR /, '')}`)
          })
          if (reply instanceof RespError) throw new Error(`${where} refused PING: ${reply.message}`)
        }
      },
      async close() {
        await Promise.all([...tenants.values()].map((tenant) => tenant.pool.close()))
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
