// The app section's scenarios and how one is loaded: autocannon with per-response timing, CPU
// time per process from /proc, and the gateways' counters.
import autocannon from 'autocannon'
import { type Account, JSON_HEADERS } from './journey.ts'
import { quantile, sleep } from './measure.ts'
import { cpuMs } from './procfs.ts'

export const ADDRESS = '203.0.113.10'
const PROBE_REQUESTS = 10
const SETTLE_MAX_MS = 20_000

export type Role = 'reader' | 'writer' | 'login'

export interface Scenario {
  name: string
  method: 'GET' | 'POST'
  path: string
  cookie?: Role
  body?: (accounts: Record<Role, Account>) => unknown
  /** architecture.md request budget: [Upstash, PlanetScale] per request */
  budget: [number, number]
  /** the floor Worker (floor.ts) serves it too */
  floor?: boolean
  /**
   * Login is CPU-bound (Argon2id) and workerd runs it on the isolate's one thread: at 10
   * connections a response takes ~1.4 s, so a short window would count only one batch.
   */
  minDurationS?: number
}

export const SCENARIOS: Scenario[] = [
  { name: 'GET / (anonymous)', method: 'GET', path: '/', budget: [0, 0] },
  {
    name: 'GET /fetchStatus',
    method: 'GET',
    path: '/fetchStatus',
    cookie: 'reader',
    budget: [1, 1],
    floor: true,
  },
  {
    name: 'POST /addStatus',
    method: 'POST',
    path: '/addStatus',
    cookie: 'writer',
    body: () => ({ status: 'A status posted by the benchmark.' }),
    budget: [1, 1],
    floor: true,
  },
  {
    name: 'POST /login',
    method: 'POST',
    path: '/login',
    body: (a) => ({ user_email: a.login.user_email, user_password: a.login.user_password }),
    budget: [3, 1],
    minDurationS: 6,
  },
]

export interface HttpRequest {
  method: string
  headers: Record<string, string>
  body: string | undefined
}

export function requestOf(
  scenario: Scenario,
  accounts: Record<Role, Account>,
  cookies: Record<Role, string>
): HttpRequest {
  const headers: Record<string, string> = { 'cf-connecting-ip': ADDRESS }
  if (scenario.cookie) headers.cookie = cookies[scenario.cookie]
  const body = scenario.body?.(accounts)
  if (body !== undefined) Object.assign(headers, JSON_HEADERS)
  return {
    method: scenario.method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  }
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
  const sorted = Float64Array.from(latencies).sort()
  return {
    requests: result.requests.total,
    sent: Math.max(result.requests.sent, result.requests.total),
    rps: result.requests.total / result.duration,
    p50ms: quantile(sorted, 0.5),
    p99ms: quantile(sorted, 0.99),
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
