// Section "soak" (issue 5): a bounded mixed journey (register, log in, post, fetch, log out) at
// modest concurrency for N minutes against the Worker and the gateways, each a process of its own.
// Every few seconds: requests, errors, p50/p99 of that interval, and the gateways' memory (after a
// forced GC, so heapUsed is what they retain), with a verdict on whether it stayed flat.
import { type Backends, BENCH_REDIS_DB, redisClient } from '../infra/backends.ts'
import type { NodeMemory } from '../infra/hosts.ts'
import { EMAIL_DOMAIN, Visitor } from '../infra/journey.ts'
import { startBenchGateways, startBenchWorker } from '../infra/stack.ts'
import { percentiles, sleep } from '../infra/stats.ts'
import type { WorkerHost, WorkerMemory } from '../infra/workerd.ts'
import { memoryVerdicts, TOLERANCE_PERCENT } from './soak-verdict.ts'

export interface SoakOptions {
  backends: Backends
  mainModule: string
  root: string
  minutes: number
  users: number
  sampleSeconds: number
  log: (line: string) => void
}

export interface SoakSample {
  /** seconds since the start */
  t: number
  requests: number
  errors: number
  journeys: number
  rps: number
  p50ms: number
  p99ms: number
  upstash: NodeMemory
  planetscale: NodeMemory
  worker: WorkerMemory
  redisKeys: number
  firstError?: string
}

export interface MemoryVerdict {
  process: string
  metric: 'heapUsed' | 'rss'
  firstThirdMiB: number
  lastThirdMiB: number
  growthPercent: number
  flat: boolean
  /** shown, not part of the verdict */
  informational?: boolean
}

export interface SoakResult {
  minutes: number
  users: number
  sampleSeconds: number
  warmupSamples: number
  samples: SoakSample[]
  totals: { requests: number; errors: number; journeys: number }
  verdicts: MemoryVerdict[]
  /** heap within this share (or 1 MiB) counts as flat; RSS gets twice the margin */
  tolerancePercent: number
  flat: boolean
}

const MiB = 1024 * 1024

class Window {
  latencies: number[] = []
  errors = 0
  journeys = 0
  firstError: string | undefined
  take() {
    const taken = {
      latencies: this.latencies,
      errors: this.errors,
      journeys: this.journeys,
      firstError: this.firstError,
    }
    this.latencies = []
    this.errors = 0
    this.journeys = 0
    this.firstError = undefined
    return taken
  }
}

async function journey(
  url: string,
  vu: number,
  n: number,
  run: string,
  window: Window,
  deadline: number
) {
  const visitor = new Visitor(url, `198.51.100.${vu + 1}`)
  const account = {
    user_name: `Soak ${vu}-${n}`,
    user_email: `soak-${run}-${vu}-${n}@${EMAIL_DOMAIN}`,
    user_password: `soak-password-${run}-${vu}-${n}`,
  }
  const steps: [string, () => Promise<unknown>][] = [
    ['register', () => visitor.register(account)],
    ['login', () => visitor.login(account)],
    ['addStatus', () => visitor.addStatus(`status 1 of journey ${n}`)],
    ['addStatus', () => visitor.addStatus(`status 2 of journey ${n}`)],
    ['fetchStatus', () => visitor.fetchStatus()],
    ['fetchStatus', () => visitor.fetchStatus()],
    ['logout', () => visitor.expect('POST', '/logout', [303])],
  ]
  for (const [name, step] of steps) {
    if (Date.now() >= deadline) return
    const started = performance.now()
    try {
      await step()
    } catch (error) {
      window.errors++
      window.firstError ??= `${name}: ${error instanceof Error ? error.message : String(error)}`
      window.latencies.push(performance.now() - started)
      return
    }
    window.latencies.push(performance.now() - started)
  }
  window.journeys++
}

export async function benchSoak(options: SoakOptions): Promise<SoakResult> {
  const { backends, log } = options
  const gateways = await startBenchGateways(backends, { inspect: true })
  const { upstash, planetscale } = gateways
  let worker: WorkerHost | undefined
  const redis = redisClient(backends.redisUrl, BENCH_REDIS_DB)
  const samples: SoakSample[] = []
  const totals = { requests: 0, errors: 0, journeys: 0 }
  try {
    worker = await startBenchWorker({ ...options, inspect: true }, gateways)
    const url = worker.url
    const run = Date.now().toString(36)
    const started = Date.now()
    const deadline = started + options.minutes * 60_000
    const window = new Window()
    const vus = Array.from({ length: options.users }, async (_, vu) => {
      for (let n = 0; Date.now() < deadline; n++) await journey(url, vu, n, run, window, deadline)
    })
    let sampling = true
    const sampler = (async () => {
      let last = performance.now()
      while (sampling) {
        await sleep(Math.min(options.sampleSeconds * 1000, Math.max(0, deadline - Date.now())))
        const now = performance.now()
        const taken = window.take()
        const [up, ps, wk, keys] = await Promise.all([
          upstash.memory(true),
          planetscale.memory(true),
          (worker as WorkerHost).memory(),
          redis.dbsize(),
        ])
        const sample: SoakSample = {
          t: Math.round((Date.now() - started) / 100) / 10,
          requests: taken.latencies.length,
          errors: taken.errors,
          journeys: taken.journeys,
          rps: taken.latencies.length / ((now - last) / 1000),
          ...percentiles(taken.latencies),
          upstash: up,
          planetscale: ps,
          worker: wk,
          redisKeys: Number(keys),
          ...(taken.firstError ? { firstError: taken.firstError } : {}),
        }
        last = now
        samples.push(sample)
        totals.requests += sample.requests
        totals.errors += sample.errors
        totals.journeys += sample.journeys
        log(
          `soak ${sample.t.toFixed(0).padStart(5)} s: ${sample.requests} req, ${sample.errors} err, ` +
            `p99 ${sample.p99ms.toFixed(0)} ms, upstash heap ${(up.heapUsed / MiB).toFixed(1)} MiB, ` +
            `planetscale heap ${(ps.heapUsed / MiB).toFixed(1)} MiB, ` +
            `isolate heap ${((wk.isolateHeapUsed ?? 0) / MiB).toFixed(1)} MiB` +
            (sample.firstError ? ` (${sample.firstError})` : '')
        )
        if (Date.now() >= deadline) break
      }
    })()
    await Promise.all(vus)
    sampling = false
    await sampler
  } finally {
    await redis.quit()
    await worker?.close()
    await gateways.close()
  }
  // Warm-up: the first 30 s or the first fifth of the samples, whichever is more.
  const warmupSamples = Math.min(
    Math.max(Math.ceil(30 / options.sampleSeconds), Math.ceil(samples.length / 5)),
    Math.max(0, samples.length - 3)
  )
  const verdicts = memoryVerdicts(samples, warmupSamples)
  return {
    minutes: options.minutes,
    users: options.users,
    sampleSeconds: options.sampleSeconds,
    warmupSamples,
    samples,
    totals,
    verdicts,
    tolerancePercent: TOLERANCE_PERCENT,
    flat: verdicts.every((v) => v.flat || v.informational),
  }
}
