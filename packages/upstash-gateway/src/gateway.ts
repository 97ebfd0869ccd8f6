import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import {
  answerClientError,
  listen,
  RequestCounts,
  type RunningGateway,
  readBody,
  sendJson,
  serverAddress,
} from '@edge-status/gateway-kit'
import { GatewayError, type RedisTarget } from './connection.ts'
import { errorJson } from './encode.ts'
import { runMulti, runPipeline, runSingle, type Tenant } from './execute.ts'
import { upstashHeaders } from './http-io.ts'
import { BodyError } from './json-body.ts'
import { TokenPool } from './pool.ts'
import { ScriptRegistry } from './scripts.ts'

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
}

type Route = 'single' | 'pipeline' | 'multi' | 'stats'

const ROUTES = new Map<string, Route>([
  ['/', 'single'],
  ['/pipeline', 'pipeline'],
  ['/multi-exec', 'multi'],
  ['/__stats', 'stats'],
])

const CLOSE_GRACE_MS = 10_000

export async function startUpstashGateway(options: UpstashGatewayOptions): Promise<RunningGateway> {
  const redis = serverAddress(options.redisUrl, 6379)
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024
  const scripts = new ScriptRegistry()
  const tenants = new Map<string, Tenant>()
  for (const [token, db] of Object.entries(options.tokens)) {
    if (!Number.isInteger(db) || db < 0) throw new Error(`token database must be an integer >= 0`)
    const target: RedisTarget = {
      host: redis.host,
      port: redis.port,
      username: redis.user || undefined,
      password: redis.password || undefined,
      db,
      timeoutMs: options.commandTimeoutMs ?? 10_000,
    }
    tenants.set(token, { pool: new TokenPool(target, options.poolSize ?? 8), scripts })
  }
  // Map, not object: a token may be any string, "__proto__" included.
  const counts = new RequestCounts()
  let closing = false

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = originForm(req.url ?? '/')
    const q = url.indexOf('?')
    const route = ROUTES.get(q < 0 ? url : url.slice(0, q))
    const token = tokenOf(req, url, q)
    const tenant = token === undefined ? undefined : tenants.get(token)
    const key = tenant ? (token as string) : ''
    const reply = (status: number, body: string) => {
      // The stats probe is not counted, so reading the counter does not move it.
      if (sendJson(res, status, body, upstashHeaders(closing)) && route !== 'stats') counts.add(key)
    }
    try {
      const method = req.method ?? ''
      if (route === undefined) {
        return reply(404, errorJson(`ERR unknown endpoint ${url.slice(0, 100)}`))
      }
      const allowed = route === 'stats' ? method === 'GET' : method === 'POST' || method === 'PUT'
      if (!allowed) return reply(405, errorJson(`ERR method ${method} not allowed`))
      if (tenant === undefined) return reply(401, errorJson('Unauthorized'))
      if (route === 'stats') return reply(200, `{"requests":${counts.of(key)}}`)
      const body = await readBody(req, maxBodyBytes)
      if (body.kind === 'aborted') return
      if (body.kind === 'too-large') return reply(413, errorJson('ERR max request size exceeded'))
      const base64 = String(req.headers['upstash-encoding']).toLowerCase() === 'base64'
      const run = route === 'single' ? runSingle : route === 'pipeline' ? runPipeline : runMulti
      const [status, json] = await run(tenant, body.text, base64)
      reply(status, json)
    } catch (error) {
      if (error instanceof GatewayError || error instanceof BodyError) {
        reply(error instanceof GatewayError ? error.status : 400, errorJson(error.message))
      } else {
        console.error('upstash gateway: unexpected error', error)
        reply(500, errorJson('ERR internal gateway error'))
      }
    }
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((error) => console.error('upstash gateway: unhandled', error))
  })
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const answer = () => ({
      body: errorJson(`ERR bad HTTP request: ${error.code ?? error.message}`),
      headers: upstashHeaders(),
    })
    if (answerClientError(error, socket, answer)) counts.add('')
  })
  server.on('checkExpectation', (_req, res: ServerResponse) => {
    const body = errorJson('ERR unsupported Expect header')
    if (sendJson(res, 417, body, upstashHeaders(closing))) counts.add('')
  })
  const { url, port } = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0)

  let closed: Promise<void> | undefined
  return {
    url,
    port,
    stats: () => counts.stats(),
    close() {
      closed ??= (async () => {
        closing = true
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
          server.close(() => {
            clearTimeout(force)
            resolve()
          })
          server.closeIdleConnections()
        })
        await Promise.all([...tenants.values()].map((tenant) => tenant.pool.close()))
      })()
      return closed
    },
  }
}

/** Accepts the absolute form (`POST http://host/pipeline`) some proxies send. */
function originForm(target: string): string {
  if (target.charCodeAt(0) === 47 /* / */) return target
  try {
    const url = new URL(target)
    return url.pathname + url.search
  } catch {
    return target
  }
}

function tokenOf(req: IncomingMessage, url: string, q: number): string | undefined {
  const header = req.headers.authorization
  if (header !== undefined && header.length > 7 && header.slice(0, 7).toLowerCase() === 'bearer ') {
    return header.slice(7).trim()
  }
  if (q >= 0 && url.includes('_token=', q)) {
    return new URLSearchParams(url.slice(q + 1)).get('_token') ?? undefined
  }
  return undefined
}
