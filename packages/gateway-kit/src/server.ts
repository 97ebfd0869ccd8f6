// The server both gateways are: a route table, authentication, errors thrown as HttpError and
// rendered in the gateway's protocol, an optional added latency, one counting rule, the stats
// endpoint and one graceful close. A gateway supplies a GatewayDefinition; this does the rest.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { ClientGone, HttpError } from './errors.ts'
import { answerClientError, listen, readBody, sendJson } from './http.ts'
import { type AnswerTarget, type LoggedAnswer, RequestLog, wallClock } from './request-log.ts'
import { type Answer, type Route, RouteTable, type StreamAnswer } from './routes.ts'

export interface Authenticated<U> {
  /** What the request is counted under: a token, a username. */
  credential: string
  user: U
}

export interface GatewayDefinition<U> {
  /** Prefix of log lines, e.g. "upstash-gateway". */
  name: string
  routes: Record<string, Route<U>>
  authenticate(req: IncomingMessage, search: string): Authenticated<U> | undefined
  /** Renders an error in the protocol's shape. */
  errorAnswer(error: HttpError): Answer
  /** Headers every answer carries, e.g. a sync token or an auth challenge. */
  headers?(status: number): Record<string, string>
  /** Throws, with a message for a person, when the backend cannot be used. */
  check?(): Promise<void>
  /** Runs once the HTTP side has stopped: closes backend connections. */
  close(): Promise<void>
}

export interface ServerOptions {
  /** default 127.0.0.1 */
  host?: string
  /** default 0: any free port */
  port?: number
  /** Every answer waits this long before it is sent (a far region's round trip), default 0. */
  latencyMs?: number
  /** The copy of the data every answer comes from, for the request log (unless an Answer says). */
  target?: AnswerTarget
  /** Larger bodies are refused with a 413 */
  maxBodyBytes: number
  keepAliveTimeoutMs: number
  /** How long close() lets in-flight requests finish, default 10 s. */
  closeGraceMs?: number
}

/** What a started gateway offers its caller. */
export interface RunningGateway {
  /** Base URL without credentials, e.g. http://127.0.0.1:41234 */
  url: string
  port: number
  /** Requests per credential since start; requests without valid credentials count under "". */
  stats(): { requests: Record<string, number> }
  /** The last requests of a credential: [start, end] in wall-clock ms, in the order they ended. */
  timeline(credential: string): [number, number][]
  /** The same requests, each with the copy of the data that answered it when that is known. */
  answers(credential: string): LoggedAnswer[]
  /**
   * Throws, with a message for a person, when the backend cannot be used (for a start-up check).
   */
  checkBackend(): Promise<void>
  /** Stops accepting, lets in-flight requests finish, closes every backend connection. */
  close(): Promise<void>
}

export const STATS_PATH = '/__stats'

/**
 * The counting rule: every request except those to /__stats is recorded once, under the
 * credential it authenticated with ("" otherwise), when the gateway is done with it: its answer
 * written (after any added latency), or its client gone. Start is when its headers were parsed.
 */
export async function startServer<U>(
  definition: GatewayDefinition<U>,
  options: ServerOptions
): Promise<RunningGateway> {
  const routes = new RouteTable(definition.routes)
  const log = new RequestLog()
  const latencyMs = options.latencyMs ?? 0
  const shutdown = new AbortController()
  let inflight = 0
  let drained: (() => void) | undefined

  const headersFor = (status: number): Record<string, string> => {
    const extra = definition.headers?.(status) ?? {}
    return shutdown.signal.aborted ? { ...extra, connection: 'close' } : extra
  }

  const render = (error: unknown): Answer => {
    if (error instanceof HttpError) return definition.errorAnswer(error)
    console.error(`${definition.name}: unexpected error`, error)
    return definition.errorAnswer(new HttpError(500, 'internal gateway error'))
  }

  async function dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    search: string,
    who: Authenticated<U> | undefined
  ): Promise<Answer | StreamAnswer> {
    if (shutdown.signal.aborted) throw new HttpError(503, 'gateway is shutting down')
    const route = routes.find(path)
    if (route === undefined) throw new HttpError(404, `unknown endpoint ${path.slice(0, 100)}`)
    const method = req.method ?? ''
    if (!route.methods.includes(method)) {
      throw new HttpError(405, `method ${method} is not allowed on ${path.slice(0, 100)}`)
    }
    if (who === undefined) throw new HttpError(401, 'invalid or missing credentials')
    let signal: AbortSignal | undefined
    const bytes = async () => {
      const body = await readBody(req, options.maxBodyBytes)
      if (body.kind === 'aborted') throw new ClientGone()
      if (body.kind === 'too-large') {
        throw new HttpError(413, `request body exceeds ${options.maxBodyBytes} bytes`)
      }
      return body.bytes
    }
    return route.handle({
      req,
      path,
      search,
      user: who.user,
      credential: who.credential,
      get signal() {
        signal ??= requestSignal(res, shutdown.signal)
        return signal
      },
      bytes,
      body: async () => (await bytes()).toString('utf8'),
    })
  }

  async function deliver(res: ServerResponse, answer: Answer | StreamAnswer): Promise<void> {
    const delay = ('latencyMs' in answer ? answer.latencyMs : undefined) ?? latencyMs
    if (delay > 0) await sleep(delay)
    if (!('stream' in answer)) {
      sendJson(res, answer.status, answer.body, { ...headersFor(answer.status), ...answer.headers })
      return
    }
    const signal = requestSignal(res, shutdown.signal)
    if (!res.destroyed) {
      res.writeHead(answer.status, { ...headersFor(answer.status), ...answer.headers })
      res.flushHeaders()
    }
    await answer.stream(res, signal)
    res.end()
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = wallClock()
    const target = originForm(req.url ?? '/')
    const q = target.indexOf('?')
    const path = q < 0 ? target : target.slice(0, q)
    const search = q < 0 ? '' : target.slice(q + 1)
    const who = definition.authenticate(req, search)
    if (path === STATS_PATH) return serveStats(req, res, who)
    const credential = who?.credential ?? ''
    inflight++
    try {
      let answer: Answer | StreamAnswer | undefined
      try {
        answer = await dispatch(req, res, path, search, who)
      } catch (error) {
        if (!(error instanceof ClientGone)) answer = render(error)
      }
      // A body nobody read is drained, so the connection can carry the next request.
      if (!req.complete) req.resume()
      if (answer !== undefined) {
        await deliver(res, answer).catch((error: unknown) => {
          console.error(`${definition.name}: answer failed`, error)
          res.destroy()
        })
      }
      const target = (answer && 'body' in answer ? answer.target : undefined) ?? options.target
      log.record(credential, start, wallClock(), target)
    } finally {
      inflight--
      if (inflight === 0) drained?.()
    }
  }

  // Not counted and never delayed, so a test can read the counter before and after its work.
  function serveStats(req: IncomingMessage, res: ServerResponse, who?: Authenticated<U>): void {
    req.resume()
    let answer: Answer
    if (req.method !== 'GET') {
      answer = definition.errorAnswer(new HttpError(405, `method ${req.method} is not allowed`))
    } else if (who === undefined) {
      answer = definition.errorAnswer(new HttpError(401, 'invalid or missing credentials'))
    } else answer = { status: 200, body: log.statsJson(who.credential) }
    sendJson(res, answer.status, answer.body, { ...headersFor(answer.status), ...answer.headers })
  }

  const server = createServer({ keepAliveTimeout: options.keepAliveTimeoutMs }, (req, res) => {
    handle(req, res).catch((error) => console.error(`${definition.name}: unhandled`, error))
  })
  // Requests Node's parser refused and unsupported Expect headers get the protocol's JSON too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const now = wallClock()
    const answer = (status: number) => {
      const rendered = definition.errorAnswer(
        new HttpError(status, `malformed HTTP request (${error.code ?? error.message})`)
      )
      return { body: rendered.body, headers: { ...headersFor(status), ...rendered.headers } }
    }
    if (answerClientError(error, socket, answer)) log.record('', now, wallClock())
  })
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const now = wallClock()
    req.resume()
    const answer = definition.errorAnswer(new HttpError(417, 'unsupported Expect header'))
    const headers = { ...headersFor(417), ...answer.headers }
    if (sendJson(res, 417, answer.body, headers)) log.record('', now, wallClock())
  })

  const { url, port } = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0)
  let closed: Promise<void> | undefined
  return {
    url,
    port,
    stats: () => ({ requests: log.counts() }),
    timeline: (credential) => log.recent(credential),
    answers: (credential) => log.answers(credential),
    checkBackend: async () => definition.check?.(),
    close() {
      closed ??= (async () => {
        // Streams end, idle connections close, answers still in flight carry `connection: close`.
        shutdown.abort()
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        if (inflight > 0) {
          await new Promise<void>((resolve) => {
            drained = resolve
            setTimeout(resolve, options.closeGraceMs ?? 10_000).unref()
          })
        }
        server.closeAllConnections()
        await stopped
        await definition.close()
      })()
      return closed
    },
  }
}

/** Aborts when the client goes away before the answer is complete, or when the gateway closes. */
function requestSignal(res: ServerResponse, shutdown: AbortSignal): AbortSignal {
  const gone = new AbortController()
  res.once('close', () => gone.abort())
  if (res.destroyed) gone.abort()
  return AbortSignal.any([gone.signal, shutdown])
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
