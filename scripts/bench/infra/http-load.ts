// An HTTP load run: autocannon with per-response timing, CPU time per process from /proc, and
// the gateways' counters (settled after a run, and read around a sequential probe).
import autocannon from 'autocannon'
import { cpuMs } from './procfs.ts'
import { percentiles, sleep } from './stats.ts'

const PROBE_REQUESTS = 10
const SETTLE_MAX_MS = 20_000

export interface HttpRequest {
  method: string
  headers: Record<string, string>
  body: string | undefined
}

export interface Load {
  /** responses within the window */
  requests: number
  /** requests written, including those in flight when autocannon stopped */
  sent: number
  rps: number
  p50ms: number
  p99ms: number
  non2xx: number
  errors: number
}

/**
 * One autocannon run. Its own percentiles are whole milliseconds; ours come from the
 * per-response hrtime it reports.
 */
export async function cannon(
  url: string,
  request: HttpRequest,
  connections: number,
  duration: number
): Promise<Load> {
  const latencies: number[] = []
  const instance = autocannon({
    url,
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    connections,
    duration,
    timeout: 30,
  })
  instance.on('response', (_client, _status, _bytes, ms) => {
    latencies.push(ms)
  })
  const result = await instance
  return {
    requests: result.requests.total,
    sent: Math.max(result.requests.sent, result.requests.total),
    rps: result.requests.total / result.duration,
    ...percentiles(latencies),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }
}

/** CPU time of some processes, to charge to the requests of a run. */
export function cpuSnapshot(processes: Record<string, number | undefined>): Record<string, number> {
  const snapshot: Record<string, number> = {}
  for (const [name, pid] of Object.entries(processes)) {
    const ms = pid === undefined ? undefined : cpuMs(pid)
    if (ms !== undefined) snapshot[name] = ms
  }
  return snapshot
}

export function cpuPerRequest(
  before: Record<string, number>,
  after: Record<string, number>,
  requests: number
): Record<string, number> {
  const per: Record<string, number> = {}
  for (const [name, ms] of Object.entries(after)) {
    per[name] = (ms - (before[name] ?? ms)) / Math.max(1, requests)
  }
  return per
}

/**
 * autocannon stops with requests in flight, and workerd finishes them: wait until the gateways'
 * counters stop moving, so the next run starts on an idle server.
 */
export async function settle(counters: () => Promise<number[]>): Promise<number[]> {
  let last = await counters()
  const deadline = Date.now() + SETTLE_MAX_MS
  while (Date.now() < deadline) {
    await sleep(300)
    const now = await counters()
    if (now.every((value, i) => value === last[i])) return now
    last = now
  }
  return last
}

/**
 * Backend requests per request, exactly: a few requests one after the other, counters read
 * before and after. (Under load the counters also see requests still in flight when autocannon
 * stops, which skews slow scenarios such as login.)
 */
export async function probeBackendCalls(
  url: string,
  request: HttpRequest,
  counters: () => Promise<number[]>
): Promise<[number, number]> {
  const send = async () => {
    const res = await fetch(url, { ...request, redirect: 'manual' })
    await res.arrayBuffer()
    if (res.status >= 400) throw new Error(`probe ${request.method} ${url}: HTTP ${res.status}`)
  }
  // Not counted: the first call of each rate-limit script on a fresh gateway falls back from
  // EVALSHA to EVAL (one extra request, once per script), which is not the steady state.
  await send()
  const before = await counters()
  for (let i = 0; i < PROBE_REQUESTS; i++) await send()
  const after = await counters()
  const per = (i: number) => ((after[i] ?? 0) - (before[i] ?? 0)) / PROBE_REQUESTS
  return [per(0), per(1)]
}
