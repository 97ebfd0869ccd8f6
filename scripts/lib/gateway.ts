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
