// A closed-loop load generator for in-process clients (the gateway section): N callers, each
// awaiting its call before starting the next. Latencies are recorded only after a warm-up.

export interface LoadResult {
  /** calls completed (successfully or not) in the measured window */
  requests: number
  errors: number
  rps: number
  p50ms: number
  p99ms: number
  /** first error message, to say what went wrong */
  firstError?: string
}

export interface ClosedLoopOptions {
  callers: number
  durationMs: number
  /** default min(500, durationMs / 4) */
  warmupMs?: number
  call: (caller: number) => Promise<unknown>
}

export async function closedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const warmupMs = options.warmupMs ?? Math.min(500, options.durationMs / 4)
  const latencies: number[] = []
  let errors = 0
  let firstError: string | undefined
  const start = performance.now()
  const measureFrom = start + warmupMs
  const deadline = measureFrom + options.durationMs
  const caller = async (id: number) => {
    for (;;) {
      const began = performance.now()
      if (began >= deadline) return
      let failed = false
      try {
        await options.call(id)
      } catch (error) {
        failed = true
        firstError ??= error instanceof Error ? error.message : String(error)
      }
      if (began < measureFrom) continue
      if (failed) errors++
      latencies.push(performance.now() - began)
    }
  }
  await Promise.all(Array.from({ length: options.callers }, (_, id) => caller(id)))
  const sorted = Float64Array.from(latencies).sort()
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / (options.durationMs / 1000),
    p50ms: quantile(sorted, 0.5),
    p99ms: quantile(sorted, 0.99),
    ...(firstError === undefined ? {} : { firstError }),
  }
}

/** Nearest-rank quantile of an ascending array; 0 when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[index] as number
}

export function median(values: number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5)
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
