import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AnswerTarget } from './request-log.ts'

/** A complete answer: status, JSON body, extra headers. */
export interface Answer {
  status: number
  body: string
  headers?: Record<string, string>
  /** Overrides the server's latencyMs for this answer (a near replica, a far primary). */
  latencyMs?: number
  /** Which copy of the data answered, for the request log; default the server's `target`. */
  target?: AnswerTarget
}

/**
 * An answer written over time (server-sent events): the head first, then `stream` until it
 * resolves.
 */
export interface StreamAnswer {
  status: number
  headers: Record<string, string>
  /** Writes the body; `signal` aborts when the client leaves or the gateway closes. */
  stream(res: ServerResponse, signal: AbortSignal): Promise<void>
}

export interface RequestContext<U> {
  req: IncomingMessage
  /** The request path without its query, still percent-encoded. */
  path: string
  /** The query string without its `?`, '' when there is none. */
  search: string
  user: U
  credential: string
  /** Aborts when the client leaves or the gateway closes. */
  readonly signal: AbortSignal
  /** The body as UTF-8 text; a body over the limit throws a 413. */
  body(): Promise<string>
  /** The body's bytes; a body over the limit throws a 413. */
  bytes(): Promise<Buffer>
}

export interface Route<U> {
  /** Other methods get a 405. */
  methods: readonly string[]
  handle(ctx: RequestContext<U>): Promise<Answer | StreamAnswer>
}

/**
 * Paths to routes: exact paths, and prefixes written with a trailing `*` ("/subscribe/*"). An
 * exact path wins, then the longest prefix.
 */
export class RouteTable<U> {
  private readonly exact = new Map<string, Route<U>>()
  private readonly prefixes: [string, Route<U>][] = []

  constructor(routes: Record<string, Route<U>>) {
    for (const [pattern, route] of Object.entries(routes)) {
      if (pattern.endsWith('*')) this.prefixes.push([pattern.slice(0, -1), route])
      else this.exact.set(pattern, route)
    }
    this.prefixes.sort(([a], [b]) => b.length - a.length)
  }

  find(path: string): Route<U> | undefined {
    const route = this.exact.get(path)
    if (route !== undefined) return route
    for (const [prefix, candidate] of this.prefixes) if (path.startsWith(prefix)) return candidate
    return undefined
  }
}
