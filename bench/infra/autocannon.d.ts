// The part of autocannon 9's API the bench uses (the package ships no types).
declare module 'autocannon' {
  interface Result {
    duration: number
    /** total: responses; sent: requests written (responses + those in flight at the stop) */
    requests: { total: number; sent: number }
    errors: number
    timeouts: number
    non2xx: number
  }
  /** An EventEmitter that is also a promise of the result. */
  interface Instance extends PromiseLike<Result> {
    /** responseTime: milliseconds (from hrtime, fractional) */
    on(
      event: 'response',
      listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void
    ): Instance
  }
  export default function autocannon(options: {
    url: string
    method?: string
    headers?: Record<string, string>
    body?: string
    connections?: number
    duration?: number
    timeout?: number
  }): Instance
}
