// A closed-loop load generator for in-process clients (the gateway section): N callers, each
// awaiting its call before starting the next. Latencies are recorded only after a warm-up.
import { ascending, quantile } from './stats.ts'

export interface LoadResult {
  /** calls completed (successfully or not) in the measured window */
  requests: number
  errors: number
  rps: number
  p50ms: number
  p99ms: number
  /** first error message, to say what went wrong */
  firstError?: string
  /** CPU ms per call, by clock (e.g. client, server) */
  cpuMsPerRequest?: Record<string, number>
}

export interface ClosedLoopOptions {
  callers: number
  durationMs: number
  /** default min(500, durationMs / 4) */
  warmupMs?: number
  call: (caller: number) => Promise<unknown>
  /** CPU clocks (ms so far) read when the measured window opens and when the last call is done */
  cpu?: Record<string, () => number | undefined>
}

/** The raw outcome of one closed-loop run, so several short runs can be merged. */
export interface LoopSamples {
  latencies: number[]
  errors: number
  durationMs: number
  /** CPU ms spent per clock over the measured window */
  cpuMs: Record<string, number>
  firstError?: string
}

export async function runLoop(options: ClosedLoopOptions): Promise<LoopSamples> {
  const warmupMs = options.warmupMs ?? Math.min(500, options.durationMs / 4)
  const latencies: number[] = []
  let errors = 0
  let firstError: string | undefined
  const start = performance.now()
  const measureFrom = start + warmupMs
  const deadline = measureFrom + options.durationMs
  const clocks = Object.entries(options.cpu ?? {})
  let cpuStart: (number | undefined)[] = []
  const opened = setTimeout(() => {
    cpuStart = clocks.map(([, read]) => read())
  }, warmupMs)
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
  clearTimeout(opened)
  const cpuMs: Record<string, number> = {}
  clocks.forEach(([name, read], i) => {
    const [from, to] = [cpuStart[i], read()]
    if (from !== undefined && to !== undefined) cpuMs[name] = to - from
  })
  return {
    latencies,
    errors,
    durationMs: options.durationMs,
    cpuMs,
    ...(firstError === undefined ? {} : { firstError }),
  }
}

/** Merges runs of the same variant: requests over the summed measured time, pooled percentiles. */
export function summarize(runs: LoopSamples[]): LoadResult {
  const sorted = ascending(runs.flatMap((r) => r.latencies))
  const durationMs = runs.reduce((sum, r) => sum + r.durationMs, 0)
  const firstError = runs.find((r) => r.firstError)?.firstError
  const cpuMsPerRequest: Record<string, number> = {}
  for (const run of runs) {
    for (const [name, ms] of Object.entries(run.cpuMs)) {
      cpuMsPerRequest[name] = (cpuMsPerRequest[name] ?? 0) + ms / Math.max(1, sorted.length)
    }
  }
  return {
    cpuMsPerRequest,
    requests: sorted.length,
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    rps: sorted.length / (durationMs / 1000),
    p50ms: quantile(sorted, 0.5),
    p99ms: quantile(sorted, 0.99),
    ...(firstError === undefined ? {} : { firstError }),
  }
}
