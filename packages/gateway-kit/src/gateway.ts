/** What both local gateways return when started; the services command, tests and bench rely on it. */
export interface RunningGateway {
  /** Base URL without credentials, e.g. http://127.0.0.1:41234 */
  url: string
  port: number
  /** Counters since start, per credential (Upstash token or PlanetScale username). */
  stats(): GatewayStats
  /** Stops accepting, waits for in-flight requests, closes every backend connection. */
  close(): Promise<void>
}

export interface GatewayStats {
  /** HTTP requests answered, by credential. Requests with bad credentials count under "". */
  requests: Record<string, number>
}

/** Requests answered per credential. A Map, so any token or username (even "__proto__") is a key. */
export class RequestCounts {
  private readonly counts = new Map<string, number>()

  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
  }

  of(key: string): number {
    return this.counts.get(key) ?? 0
  }

  stats(): GatewayStats {
    return { requests: Object.fromEntries(this.counts) }
  }
}
