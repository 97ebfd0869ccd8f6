// A PlanetScale-compatible HTTP gateway in front of MariaDB or MySQL, for the unmodified
// @planetscale/database driver. The wire protocol it speaks is described in PROTOCOL.md.
import {
  type Answer,
  HttpError,
  isJsonContentType,
  type RequestContext,
  type Route,
  type RunningGateway,
  startServer,
} from '@edge-status/gateway-kit'
import { type Account, accountFor, DEFAULT_ROLE, isRole, type Role } from './accounts.ts'
import { type AuthedUser, Authenticator } from './auth.ts'
import { ensureDatabases, mysqlTarget, openDatabase } from './databases.ts'
import { connectErrorJson } from './errors.ts'
import { Executor } from './execute.ts'
import { Pool } from './pool.ts'
import { newClaims, SessionCodec, SessionRegistry } from './sessions.ts'

export type { RunningGateway }

export interface PlanetScaleGatewayOptions {
  /** Admin connection to MariaDB/MySQL, e.g. mysql://root@127.0.0.1:3306 */
  mysqlUrl: string
  /** Basic credentials -> database, and the role they run with there (default: admin) */
  users: Record<string, { password: string; database: string; role?: Role }>
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
  /** every answer waits this long before it is sent, default 0 */
  latencyMs?: number
  /**
   * a statement running longer fails like a timed-out PlanetScale query; default 30_000, 0: none
   */
  statementTimeoutMs?: number
  /**
   * in front of a read-only replica (read_only=ON, a mysqlUrl user that cannot bypass it): the
   * databases are never created, writes fail as on a PlanetScale replica (PROTOCOL.md §6.4)
   */
  readOnly?: boolean
}

const PREFIX = '/psdb.v1alpha1.Database/'
/** PlanetScale's own limit for a query (system limits: 30 s). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000

export async function startPlanetScaleGateway(
  options: PlanetScaleGatewayOptions
): Promise<RunningGateway> {
  const target = mysqlTarget(options.mysqlUrl, {
    clientFoundRows: options.clientFoundRows ?? true,
    statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
  })
  // Each credential runs as a MySQL user of its own (accounts.ts), with a pool of its own.
  const accounts = new Map<string, Account>()
  for (const [name, { database, role = DEFAULT_ROLE }] of Object.entries(options.users)) {
    if (!isRole(role)) throw new Error(`user ${name}: unknown role ${JSON.stringify(role)}`)
    accounts.set(name, accountFor(target, { name, database, role }))
  }
  const readOnly = options.readOnly ?? false
  await ensureDatabases(target, [...accounts.values()], readOnly)

  const poolSize = options.poolSize ?? 10
  const pools = new Map<string, Pool>()
  for (const [name, account] of accounts) {
    pools.set(name, new Pool(() => openDatabase(target, account, readOnly), poolSize))
  }
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
    readOnly,
  })

  const ok = (body: string): Answer => ({ status: 200, body })
  const procedure = (
    run: (user: AuthedUser, payload: RequestPayload) => Promise<Answer>
  ): Route<AuthedUser> => ({
    methods: ['POST'],
    async handle(ctx) {
      return run(ctx.user, await payloadOf(ctx))
    },
  })
  const unimplemented: Route<AuthedUser> = {
    methods: ['POST'],
    async handle(ctx) {
      throw new HttpError(501, `${ctx.path.slice(PREFIX.length)} is not implemented`)
    },
  }

  const routes: Record<string, Route<AuthedUser>> = {
    [`${PREFIX}Execute`]: procedure(async (user, { query, session }) => {
      if (typeof query !== 'string') throw new HttpError(400, 'query must be a string')
      const pool = pools.get(user.username) as Pool
      const target = { user: user.username, database: user.database, pool }
      return ok(await executor.execute(target, query, session))
    }),
    [`${PREFIX}CreateSession`]: procedure(async (user) => {
      const session = codec.encode(user.username, user.database, newClaims())
      const who = `{"username":${JSON.stringify(user.username)},"psid":"planetscale-1"}`
      return ok(`{"branch":${JSON.stringify(user.database)},"user":${who},"session":${session}}`)
    }),
    [`${PREFIX}CloseSession`]: procedure(async (user, { session }) => {
      const parsed = codec.decode(user.username, session)
      const entry = parsed?.verified ? registry.get(parsed.id, user.username) : undefined
      if (entry && !entry.busy) {
        registry.remove(entry)
        entry.conn.destroy()
      }
      return ok(`{"session":${codec.encode(user.username, user.database, newClaims())}}`)
    }),
    [`${PREFIX}StreamExecute`]: unimplemented,
    [`${PREFIX}Prepare`]: unimplemented,
  }

  return startServer<AuthedUser>(
    {
      name: 'planetscale-gateway',
      routes,
      authenticate(req) {
        const user = auth.check(req.headers.authorization)
        return user ? { credential: user.username, user } : undefined
      },
      errorAnswer: (error) => ({
        status: error.status,
        body: connectErrorJson(error.status, error.message, error.code),
      }),
      headers: (status): Record<string, string> =>
        status === 401 ? { 'www-authenticate': 'Basic realm="planetscale"' } : {},
      async check() {
        for (const [name, pool] of pools) {
          const conn = await pool.acquire().catch((error: Error) => {
            const where = `database ${accounts.get(name)?.database} as ${name}`
            throw new Error(
              `cannot use MySQL at ${target.host}:${target.port}, ${where}: ${error.message}`
            )
          })
          pool.release(conn)
        }
      },
      async close() {
        registry.closeAll()
        await Promise.all([...pools.values()].map((pool) => pool.close()))
      },
    },
    {
      host: options.host,
      port: options.port,
      latencyMs: options.latencyMs,
      target: readOnly ? 'replica' : 'primary',
      maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
      keepAliveTimeoutMs: 10_000,
    }
  )
}

interface RequestPayload {
  query?: unknown
  session?: unknown
}

/**
 * A Connect unary request: JSON content type, a JSON object, a session that is an object or null.
 */
async function payloadOf(ctx: RequestContext<AuthedUser>): Promise<RequestPayload> {
  const type = ctx.req.headers['content-type']
  if (!isJsonContentType(type)) {
    throw new HttpError(415, `content-type must be application/json, got ${type ?? 'none'}`)
  }
  const text = await ctx.body()
  let payload: unknown
  try {
    payload = text === '' && !ctx.path.endsWith('/Execute') ? {} : JSON.parse(text)
  } catch {
    throw new HttpError(400, 'request body is not valid JSON')
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new HttpError(400, 'request body must be a JSON object')
  }
  const { session } = payload as RequestPayload
  if (session != null && (typeof session !== 'object' || Array.isArray(session))) {
    throw new HttpError(400, 'session must be an object or null')
  }
  return payload as RequestPayload
}
