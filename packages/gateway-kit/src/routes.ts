import type { Answer, RequestContext, StreamAnswer } from './server.ts'

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
