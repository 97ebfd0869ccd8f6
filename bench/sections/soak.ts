// Section "soak": a bounded mixed journey (register, log in, post, fetch, log out) at
// modest concurrency for N minutes against the Worker and the gateways, each a process of its own.
// Every few seconds: requests, errors, p50/p99 of that interval, and the gateways' memory (after a
// forced GC, so heapUsed is what they retain), with a verdict on whether it stayed flat.
import { sleep } from '../../scripts/lib/processes.ts'
import type { SectionContext } from '../context.ts'
import { redisClient } from '../infra/backends.ts'
import { startBenchGateways, startBenchWorker } from '../infra/stack.ts'
import { percentiles } from '../infra/stats.ts'
import { EMAIL_DOMAIN, Visitor } from '../infra/visitor.ts'
import type { WorkerHost } from '../infra/workerd.ts'

const MiB = 1024 * 1024
/** heap within this share (or 1 MiB) counts as flat; RSS gets twice the margin */
const TOLERANCE_PERCENT = 10

/** What the users did since the last sample. */
type Interval = { latencies: number[]; errors: number; journeys: number; firstError?: string }

interface Sample extends Omit<Interval, 'latencies'> {
  /** seconds since the start */
  t: number
  requests: number
  rps: number
  p50ms: number
  p99ms: number
  upstash: NodeJS.MemoryUsage
  planetscale: NodeJS.MemoryUsage
  worker: Awaited<ReturnType<WorkerHost['memory']>>
  redisKeys: number
}

export type SoakResult = Awaited<ReturnType<typeof benchSoak>>

export async function benchSoak({ backends, options, bundle, log }: SectionContext) {
  const { soakMinutes: minutes, soakUsers: users, sampleSeconds } = options
  const gateways = await startBenchGateways(backends, { inspect: true })
  const redis = redisClient(backends.redisUrl)
  const samples: Sample[] = []
  let worker: WorkerHost | undefined
  try {
    worker = await startBenchWorker(gateways, (await bundle()).mainModule, true)
    const { url } = worker
    const run = Date.now().toString(36)
    const started = Date.now()
    const deadline = started + minutes * 60_000
    let interval: Interval = { latencies: [], errors: 0, journeys: 0 }
    const journeys = Array.from({ length: users }, async (_, user) => {
      for (let n = 0; Date.now() < deadline; n++) {
        await journey(url, user, `${run}-${user}-${n}`, () => interval, deadline)
      }
    })
    for (let last = performance.now(); Date.now() < deadline; ) {
      await sleep(Math.min(sampleSeconds * 1000, deadline - Date.now()))
      const now = performance.now()
      const { latencies, ...counts } = interval
      interval = { latencies: [], errors: 0, journeys: 0 }
      const [upstash, planetscale, memory, keys] = await Promise.all([
        gateways.upstash.memory(),
        gateways.planetscale.memory(),
        worker.memory(),
        redis.dbsize(),
      ])
      const sample: Sample = {
        t: Math.round((Date.now() - started) / 100) / 10,
        requests: latencies.length,
        ...counts,
        rps: latencies.length / ((now - last) / 1000),
        ...percentiles(latencies),
        upstash,
        planetscale,
        worker: memory,
        redisKeys: keys,
      }
      last = now
      samples.push(sample)
      const heap = (bytes = 0) => `${(bytes / MiB).toFixed(1)} MiB`
      log(
        `soak ${sample.t.toFixed(0).padStart(5)} s: ${sample.requests} req, ${sample.errors} err, ` +
          `p99 ${sample.p99ms.toFixed(0)} ms, upstash heap ${heap(upstash.heapUsed)}, planetscale ` +
          `heap ${heap(planetscale.heapUsed)}, isolate heap ${heap(memory.isolateHeapUsed)}` +
          (sample.firstError ? ` (${sample.firstError})` : '')
      )
    }
    await Promise.all(journeys)
  } finally {
    await redis.quit()
    await worker?.close()
    await gateways.close()
  }
  // Warm-up: the first 30 s or the first fifth of the samples, whichever is more.
  const warmupSamples = Math.min(
    Math.max(Math.ceil(30 / sampleSeconds), Math.ceil(samples.length / 5)),
    Math.max(0, samples.length - 3)
  )
  const verdicts = memoryVerdicts(samples.slice(warmupSamples))
  const total = (of: (s: Sample) => number) => samples.reduce((sum, s) => sum + of(s), 0)
  return {
    minutes,
    users,
    sampleSeconds,
    warmupSamples,
    samples,
    totals: {
      requests: total((s) => s.requests),
      errors: total((s) => s.errors),
      journeys: total((s) => s.journeys),
    },
    verdicts,
    tolerancePercent: TOLERANCE_PERCENT,
    flat: verdicts.every((v) => v.flat || v.informational),
  }
}

/** One journey of user `user`; each step's latency counts in the interval it ended in. */
async function journey(
  url: string,
  user: number,
  name: string,
  now: () => Interval,
  deadline: number
) {
  const visitor = new Visitor(url, `198.51.100.${user + 1}`)
  const account = {
    user_name: `Soak ${name}`,
    user_email: `soak-${name}@${EMAIL_DOMAIN}`,
    user_password: `soak-password-${name}`,
  }
  const steps: [string, () => Promise<unknown>][] = [
    ['register', () => visitor.register(account)],
    ['login', () => visitor.login(account)],
    ['addStatus', () => visitor.addStatus(`status 1 of journey ${name}`)],
    ['addStatus', () => visitor.addStatus(`status 2 of journey ${name}`)],
    ['fetchStatus', () => visitor.fetchStatus()],
    ['fetchStatus', () => visitor.fetchStatus()],
    ['logout', () => visitor.logout()],
  ]
  try {
    for (const [step, send] of steps) {
      if (Date.now() >= deadline) return
      const started = performance.now()
      try {
        await send()
      } catch (error) {
        const interval = now()
        interval.errors++
        interval.firstError ??= `${step}: ${error instanceof Error ? error.message : String(error)}`
        interval.latencies.push(performance.now() - started)
        return
      }
      now().latencies.push(performance.now() - started)
    }
    now().journeys++
  } finally {
    visitor.close()
  }
}

/**
 * The steady samples' last third against their first. The gateways are judged (heap after a
 * forced GC within TOLERANCE_PERCENT, RSS within twice that, or under 1 MiB). workerd's heap
 * cannot be collected on demand from here: its series are shown, not judged, and compared by
 * their floors (the minimum of each third), as without a GC each is a sawtooth.
 */
function memoryVerdicts(steady: Sample[]) {
  const series: [string, 'heapUsed' | 'rss', (s: Sample) => number | undefined, boolean][] = [
    ['upstash gateway', 'heapUsed', (s) => s.upstash.heapUsed, false],
    ['upstash gateway', 'rss', (s) => s.upstash.rss, false],
    ['planetscale gateway', 'heapUsed', (s) => s.planetscale.heapUsed, false],
    ['planetscale gateway', 'rss', (s) => s.planetscale.rss, false],
    ['workerd', 'rss', (s) => s.worker.workerdRss, true],
    ['Worker isolate', 'heapUsed', (s) => s.worker.isolateHeapUsed, true],
  ]
  const third = Math.max(1, Math.floor(steady.length / 3))
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)
  return series
    .filter(([, , of, informational]) => !informational || steady.some((s) => of(s) !== undefined))
    .map(([process, metric, of, informational]) => {
      const level = informational ? (values: number[]) => Math.min(...values) : mean
      const first = level(steady.slice(0, third).map((s) => of(s) ?? 0))
      const last = level(steady.slice(-third).map((s) => of(s) ?? 0))
      const growthPercent = first > 0 ? ((last - first) / first) * 100 : 0
      const margin = metric === 'rss' ? 2 * TOLERANCE_PERCENT : TOLERANCE_PERCENT
      return {
        process,
        metric,
        firstThirdMiB: first / MiB,
        lastThirdMiB: last / MiB,
        growthPercent,
        flat: growthPercent <= margin || last - first <= MiB,
        ...(informational ? { informational } : {}),
      }
    })
}
