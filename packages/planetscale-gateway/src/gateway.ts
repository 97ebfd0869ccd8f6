// PlanetScale-compatible HTTP gateway (docs: shared/docs/planetscale-http.md) in front of
// MariaDB or MySQL, for the unmodified @planetscale/database driver.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import {
  answerClientError,
  listen,
  RequestCounts,
  type RunningGateway,
  readBody,
  sendJson,
} from '@edge-status/gateway-kit'
import { type AuthedUser, Authenticator } from './auth.ts'
import { ensureDatabases, mysqlTarget, openDatabase } from './databases.ts'
import { connectError, type HttpError } from './errors.ts'
import { Executor } from './execute.ts'
import { isJsonContentType, planetscaleHeaders } from './http.ts'
import { Pool } from './pool.ts'
import { newClaims, SessionCodec, SessionRegistry } from './sessions.ts'

export interface PlanetScaleGatewayOptions {
  /** Admin connection to MariaDB/MySQL, e.g. mysql://root@127.0.0.1:3306 */
  mysqlUrl: string
  /** Basic credentials -> database */
  users: Record<string, { password: string; database: string }>
  /** default 127.0.0.1 */
  host?: string
  /** default 0 (any free port) */
  port?: number
  /** session-less pool size per database, default 10 */
  poolSize?: number
  /** reap an idle pinned transaction, default 20_000 */
  transactionIdleMs?: number
  /** reap an idle session that holds connection state (SET @x…), default 60_000 */
  sessionIdleMs?: number
  /** connections pinned to sessions at once, default 64 */
  maxSessions?: number
  /** larger results are an error, never truncated; default 64 MiB */
  maxResultBytes?: number
  /** larger request bodies get a JSON 413; default 16 MiB */
  maxBodyBytes?: number
  /** default true: UPDATE reports matched rows, as on PlanetScale */
  clientFoundRows?: boolean
}

const PREFIX = '/psdb.v1alpha1.Database/'
const CLOSE_GRACE_MS = 10_000

export async function startPlanetScaleGateway(
  options: PlanetScaleGatewayOptions
): Promise<RunningGateway> {
  const target = mysqlTarget(options.mysqlUrl, options.clientFoundRows ?? true)
  const databases = [...new Set(Object.values(options.users).map((u) => u.database))]
  await ensureDatabases(target, databases)

  const poolSize = options.poolSize ?? 10
  const pools = new Map<string, Pool>()
  for (const db of databases) pools.set(db, new Pool(() => openDatabase(target, db), poolSize))
  const auth = new Authenticator(options.users)
  const codec = new SessionCodec(target.clientFoundRows)
  const transactionIdleMs = options.transactionIdleMs ?? 20_000
  const registry = new SessionRegistry({
    transactionIdleMs,
    sessionIdleMs: options.sessionIdleMs ?? 60_000,
    maxPinned: options.maxSessions ?? 64,
  })
  const executor = new Executor({
    codec,
    registry,
    maxResultBytes: options.maxResultBytes ?? 64 * 1024 * 1024,
    transactionIdleMs,
  })
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024
  const requests = new RequestCounts()
  let inflight = 0
  let closing = false
  let drained: (() => void) | null = null

  const reply = (res: ServerResponse, key: string, status: number, body: string) => {
    requests.add(key)
    sendJson(res, status, body, planetscaleHeaders(status, closing))
  }
  const fail = (res: ServerResponse, key: string, e: HttpError) => reply(res, key, e.status, e.body)

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/'
    const path = url.includes('?') ? url.slice(0, url.indexOf('?')) : url
    const user = auth.check(req.headers.authorization)
    const key = user?.username ?? ''
    if (path === '/__stats') {
      // not counted itself, so code in workerd can measure a request's budget by difference
      if (!user) req.resume()
      const body = user
        ? `{"requests":${requests.of(key)}}`
        : connectError(401, 'unauthenticated', 'invalid auth credentials').body
      sendJson(res, user ? 200 : 401, body, planetscaleHeaders(user ? 200 : 401))
      return
    }
    if (closing) return fail(res, key, connectError(503, 'unavailable', 'gateway is shutting down'))
    const method = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : ''
    if (
      !['Execute', 'CreateSession', 'CloseSession', 'StreamExecute', 'Prepare'].includes(method)
    ) {
      req.resume()
      return fail(res, key, connectError(404, 'not_found', `no such procedure: ${path}`))
    }
    if (!user) {
      req.resume()
      return fail(res, key, connectError(401, 'unauthenticated', 'invalid auth credentials'))
    }
    if (req.method !== 'POST') {
      req.resume()
      return fail(
        res,
        key,
        connectError(405, 'invalid_argument', `${req.method} is not allowed, use POST`)
      )
    }
    if (method === 'StreamExecute' || method === 'Prepare') {
      req.resume()
      return fail(res, key, connectError(501, 'unimplemented', `${method} is not implemented`))
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      req.resume()
      const msg = `content-type must be application/json, got ${req.headers['content-type'] ?? 'none'}`
      return fail(res, key, connectError(415, 'invalid_argument', msg))
    }
    const body = await readBody(req, maxBodyBytes)
    if (body.kind === 'aborted') return
    if (body.kind === 'too-large') {
      const msg = `request body exceeds ${maxBodyBytes} bytes`
      return fail(res, key, connectError(413, 'resource_exhausted', msg))
    }
    let payload: unknown
    try {
      payload = body.text === '' && method !== 'Execute' ? {} : JSON.parse(body.text)
    } catch {
      return fail(res, key, connectError(400, 'invalid_argument', 'request body is not valid JSON'))
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return fail(
        res,
        key,
        connectError(400, 'invalid_argument', 'request body must be a JSON object')
      )
    }
    const { query, session } = payload as { query?: unknown; session?: unknown }
    if (session != null && (typeof session !== 'object' || Array.isArray(session))) {
      return fail(
        res,
        key,
        connectError(400, 'invalid_argument', 'session must be an object or null')
      )
    }
    const pool = pools.get(user.database) as Pool
    if (method === 'CreateSession') {
      const s = codec.encode(key, user.database, newClaims())
      const who = `{"username":${JSON.stringify(key)},"psid":"planetscale-1"}`
      return reply(
        res,
        key,
        200,
        `{"branch":${JSON.stringify(user.database)},"user":${who},"session":${s}}`
      )
    }
    if (method === 'CloseSession') return reply(res, key, 200, closeSession(user, session))
    if (typeof query !== 'string') {
      return fail(res, key, connectError(400, 'invalid_argument', 'query must be a string'))
    }
    const out = await executor.execute({ user: key, database: user.database, pool }, query, session)
    if (typeof out === 'string') reply(res, key, 200, out)
    else fail(res, key, out)
  }

  function closeSession(user: AuthedUser, raw: unknown): string {
    const parsed = codec.decode(user.username, raw)
    const entry = parsed?.verified ? registry.get(parsed.id, user.username) : undefined
    if (entry && !entry.busy) {
      registry.remove(entry)
      entry.conn.destroy()
    }
    return `{"session":${codec.encode(user.username, user.database, newClaims())}}`
  }

  const server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    inflight++
    handle(req, res)
      .catch((err: unknown) => {
        const msg = err instanceof Error ? err.message : String(err)
        fail(res, '', connectError(500, 'internal', `gateway error: ${msg}`))
      })
      .finally(() => {
        inflight--
        if (inflight === 0) drained?.()
      })
  })
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const answer = (status: number) =>
      connectError(status, 'invalid_argument', `malformed HTTP request (${err.code})`)
    if (answerClientError(err, socket, answer)) requests.add('')
  })

  const { url, port } = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0)
  let closed: Promise<void> | null = null

  return {
    url,
    port,
    stats: () => requests.stats(),
    close() {
      closed ??= (async () => {
        closing = true
        server.close()
        server.closeIdleConnections()
        if (inflight > 0) {
          await new Promise<void>((resolve) => {
            drained = resolve
            setTimeout(resolve, CLOSE_GRACE_MS).unref()
          })
        }
        server.closeAllConnections()
        registry.closeAll()
        await Promise.all([...pools.values()].map((pool) => pool.close()))
      })()
      return closed
    },
  }
}
