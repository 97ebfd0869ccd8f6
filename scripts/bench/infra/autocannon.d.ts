// The part of autocannon 9's API the bench uses (the package ships no types).
declare module 'autocannon' {
  interface Options {
    url: string
    method?: string
    headers?: Record<string, string>
    body?: string
    connections?: number
    /** seconds */
    duration?: number
    amount?: number
    timeout?: number
    pipelining?: number
  }
  interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p99: number
  }
  interface Result {
    /** seconds */
    duration: number
    latency: Histogram
    /** total: responses; sent: requests written (responses + those in flight at the stop) */
    requests: Histogram & { sent: number }
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
    statusCodeStats: Record<string, { count: number }>
  }
  /** An EventEmitter that is also a promise of the result. */
  interface Instance extends PromiseLike<Result> {
    /** responseTime: milliseconds (from hrtime, fractional) */
    on(
      event: 'response',
      listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void
    ): Instance
    stop(): void
  }
  function autocannon(options: Options): Instance
  export default autocannon
}
