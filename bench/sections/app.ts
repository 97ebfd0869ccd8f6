// Section "app": the built Worker in workerd on the gateways and the real Redis/MariaDB,
// beside the floor Worker (infra/floor.ts) and the tutorial app, with autocannon in this process.
// Servers are loaded in interleaved rounds, the order alternating, so a busy moment on a shared
// machine falls on all of them alike; each figure is the median over the rounds.

import type { SectionContext } from '../context.ts'
import { cannon, type Load, probeBackendCalls, settle } from '../infra/http-load.ts'
import { cpuMeter, perRequest } from '../infra/procfs.ts'
import { type Stack, startTargets, type Target } from '../infra/stack.ts'
import { median } from '../infra/stats.ts'
import {
  type Accounts,
  credentials,
  get,
  type HttpRequest,
  post,
  type Role,
} from '../infra/visitor.ts'

interface Scenario {
  /** method and path first */
  name: string
  request(accounts: Accounts, cookies: Record<Role, string>): HttpRequest
  /** the request budget: [Upstash, PlanetScale] requests per request */
  budget: [number, number]
  /** the floor Worker serves it too */
  floor?: boolean
  /**
   * Login is CPU-bound (Argon2id) and workerd runs it on the isolate's one thread: at 10
   * connections a response takes ~1.4 s, so a short window would count only one batch.
   */
  minDurationS?: number
}

export const SCENARIOS: Scenario[] = [
  { name: 'GET / (anonymous)', request: () => get('/'), budget: [0, 0] },
  {
    name: 'GET /fetchStatus',
    request: (_, cookies) => get('/fetchStatus', cookies.reader),
    budget: [1, 1],
    floor: true,
  },
  {
    name: 'POST /addStatus',
    request: (_, cookies) =>
      post('/addStatus', { status: 'A status posted by the benchmark.' }, cookies.writer),
    budget: [1, 1],
    floor: true,
  },
  {
    name: 'POST /login',
    request: (accounts) => post('/login', credentials(accounts.login)),
    budget: [2, 1],
    minDurationS: 6,
  },
]

export const CONNECTIONS = [2, 10]
/** What the app may cost beyond the floor at the top connection count */
const FLOOR_TARGETS = { maxCpuRatio: 1.2, minRpsRatio: 0.85 }

/** One run of one server in one round; CPU ms and backend requests per request sent. */
type RoundRun = Load & { cpuMsPerRequest: Record<string, number>; calls: number[] }

export interface AppRow extends Load {
  server: Target['server']
  scenario: string
  connections: number
  durationS: number
  /** rps, p50, p99 and CPU: medians of `runs`; requests, sent, non2xx, errors: sums */
  runs: RoundRun[]
  cpuMsPerRequest: Record<string, number>
  /** ours only: gateway requests per HTTP request (exact, sequential probe) and the budget */
  upstashPerRequest?: number
  planetscalePerRequest?: number
  budget?: [number, number]
  /** ours only: the same under load: counter delta / requests sent, median over rounds */
  underLoad?: [number, number]
}

export type AppResult = Awaited<ReturnType<typeof benchApp>>

export async function benchApp(c: SectionContext) {
  const stack = await startTargets(c)
  try {
    const { upstash, planetscale } = stack.gateways
    c.log(
      `app: Worker on ${stack.targets[0]?.url}, gateways on ${upstash.url} and ${planetscale.url}`
    )
    const rows: AppRow[] = []
    for (const scenario of SCENARIOS) rows.push(...(await loadScenario(c, scenario, stack)))
    return {
      server: 'workerd (no Miniflare) serving the minified bundle of `wrangler deploy --dry-run`',
      peer: stack.peer,
      rounds: c.options.rounds,
      rows,
      floor: compareWithFloor(rows, Math.max(...CONNECTIONS)),
      targets: FLOOR_TARGETS,
    }
  } finally {
    await stack.close()
  }
}

async function loadScenario(c: SectionContext, scenario: Scenario, stack: Stack) {
  const { accounts, gateways } = stack
  const durationS = Math.max(c.options.durationS, scenario.minDurationS ?? 0)
  const loaded = stack.targets
    .filter((t) => t.server !== 'floor' || scenario.floor)
    .map((t) => ({
      ...t,
      request: scenario.request(accounts, t.cookies),
      processes: { 'load generator': process.pid, ...t.processes },
    }))
  // Warm-up (JIT, Redis script cache, connection pools), not measured.
  for (const t of loaded) await cannon(t.url, t.request, Math.max(...CONNECTIONS), 1)
  await settle(gateways.counters)
  const ours = loaded.find((t) => t.server === 'ours')
  const calls = ours && (await probeBackendCalls(ours.url, ours.request, gateways.counters))
  const rows: AppRow[] = []
  for (const connections of CONNECTIONS) {
    const runs = loaded.map(() => [] as RoundRun[])
    for (let round = 0; round < c.options.rounds; round++) {
      const order = loaded.map((_, i) => i)
      if (round % 2 === 1) order.reverse()
      for (const i of order) {
        const t = loaded[i] as (typeof loaded)[number]
        const before = await gateways.counters()
        const cpu = cpuMeter(t.processes)
        const load = await cannon(t.url, t.request, connections, durationS)
        const after = await settle(gateways.counters)
        runs[i]?.push({
          ...load,
          cpuMsPerRequest: perRequest(cpu(), load.sent),
          calls: after.map((n, k) => (n - (before[k] ?? 0)) / Math.max(1, load.sent)),
        })
        c.log(
          `app: round ${round + 1}: ${t.server} ${scenario.name} @${connections}: ${Math.round(load.rps)} req/s`
        )
      }
    }
    loaded.forEach((t, i) => {
      const measured = runs[i] ?? []
      const sum = (pick: (run: RoundRun) => number) => measured.reduce((n, r) => n + pick(r), 0)
      const mid = (pick: (run: RoundRun) => number) => median(measured.map(pick))
      const cpuMsPerRequest: Record<string, number> = {}
      for (const name of new Set(measured.flatMap((r) => Object.keys(r.cpuMsPerRequest)))) {
        cpuMsPerRequest[name] = median(measured.flatMap((r) => r.cpuMsPerRequest[name] ?? []))
      }
      rows.push({
        server: t.server,
        scenario: scenario.name,
        connections,
        durationS,
        runs: measured,
        requests: sum((r) => r.requests),
        sent: sum((r) => r.sent),
        non2xx: sum((r) => r.non2xx),
        errors: sum((r) => r.errors),
        rps: mid((r) => r.rps),
        p50ms: mid((r) => r.p50ms),
        p99ms: mid((r) => r.p99ms),
        cpuMsPerRequest,
        ...(t.server === 'ours' && calls
          ? {
              upstashPerRequest: calls[0],
              planetscalePerRequest: calls[1],
              budget: scenario.budget,
              underLoad: [mid((r) => r.calls[0] ?? 0), mid((r) => r.calls[1] ?? 0)],
            }
          : {}),
      })
    })
  }
  return rows
}

/** Ours against the floor at the top connection count, round by round (the same round's runs). */
function compareWithFloor(rows: AppRow[], top: number) {
  return rows
    .filter((r) => r.server === 'ours' && r.connections === top)
    .flatMap((ours) => {
      const floor = rows.find(
        (r) => r.server === 'floor' && r.scenario === ours.scenario && r.connections === top
      )
      if (!floor) return []
      const cpu = (run: RoundRun | undefined) => run?.cpuMsPerRequest.workerd ?? Number.NaN
      const perRound = (of: (run: RoundRun | undefined) => number) =>
        median(ours.runs.map((run, i) => of(run) / of(floor.runs[i])))
      const cpuRatio = perRound(cpu)
      const rpsRatio = perRound((run) => run?.rps ?? Number.NaN)
      return [
        {
          scenario: ours.scenario,
          connections: top,
          /** workerd CPU ms per request: medians over rounds; ratios: medians of the rounds' own */
          oursCpuMs: median(ours.runs.map(cpu)),
          floorCpuMs: median(floor.runs.map(cpu)),
          cpuRatio,
          oursRps: ours.rps,
          floorRps: floor.rps,
          rpsRatio,
          cpuMet: cpuRatio <= FLOOR_TARGETS.maxCpuRatio,
          rpsMet: rpsRatio >= FLOOR_TARGETS.minRpsRatio,
        },
      ]
    })
}
