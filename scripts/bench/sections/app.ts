// Section "app" (issue 4): the built Worker in workerd on the gateways and the real Redis/MariaDB,
// beside the floor Worker (infra/floor.ts) and the tutorial app, with autocannon in this process.
// Servers are loaded in interleaved rounds, the order alternating, so a busy moment on a shared
// machine falls on all of them alike; each figure is the median over the rounds.
import {
  cannon,
  cpuPerRequest,
  cpuSnapshot,
  type Load,
  probeBackendCalls,
  settle,
} from '../infra/http-load.ts'
import { type BenchGateways, startTargets, type Target } from '../infra/stack.ts'
import { median } from '../infra/stats.ts'
import type { Account, Role } from '../infra/visitor.ts'
import type { SectionContext } from '../registry.ts'
import { requestOf, SCENARIOS, type Scenario } from './scenarios.ts'

export const CONNECTIONS = [2, 10]
/** issue 9: what the app may cost beyond the floor at the top connection count */
const FLOOR_TARGETS = { maxCpuRatio: 1.2, minRpsRatio: 0.85 }

/** One run of one server in one round; CPU: ms per request sent, by process. */
type RoundRun = Pick<Load, 'rps' | 'p50ms' | 'p99ms'> & { cpuMsPerRequest: Record<string, number> }

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
  const { accounts, gateways, targets: servers, peer, close } = await startTargets(c)
  try {
    const { upstash, planetscale } = gateways
    c.log(`app: Worker on ${servers[0]?.url}, gateways on ${upstash.url} and ${planetscale.url}`)
    const rows: AppRow[] = []
    for (const scenario of SCENARIOS) {
      rows.push(...(await loadScenario(c, scenario, servers, accounts, gateways)))
    }
    return {
      server: 'workerd (no Miniflare) serving the minified bundle of `wrangler deploy --dry-run`',
      peer,
      rounds: c.options.rounds,
      rows,
      floor: compareWithFloor(rows, Math.max(...CONNECTIONS)),
      targets: FLOOR_TARGETS,
    }
  } finally {
    await close()
  }
}

async function loadScenario(
  c: SectionContext,
  scenario: Scenario,
  servers: Target[],
  accounts: Record<Role, Account>,
  gateways: BenchGateways
): Promise<AppRow[]> {
  const durationS = Math.max(c.options.durationS, scenario.minDurationS ?? 0)
  const loaded = servers
    .filter((t) => t.server !== 'floor' || scenario.floor)
    .map((t) => ({
      ...t,
      request: requestOf(scenario, accounts, t.cookies),
      processes: { 'load generator': process.pid, ...t.processes },
    }))
  // Warm-up (JIT, Redis script cache, connection pools), not measured.
  for (const t of loaded) await cannon(t.url, t.request, Math.max(...CONNECTIONS), 1)
  await settle(gateways.counters)
  const ours = loaded.find((t) => t.server === 'ours')
  const calls = ours && (await probeBackendCalls(ours.url, ours.request, gateways.counters))
  const rows: AppRow[] = []
  for (const connections of CONNECTIONS) {
    const runs = loaded.map(() => [] as (Load & RoundRun & { calls: number[] })[])
    for (let round = 0; round < c.options.rounds; round++) {
      const order = loaded.map((_, i) => i)
      if (round % 2 === 1) order.reverse()
      for (const i of order) {
        const t = loaded[i] as (typeof loaded)[number]
        const before = await gateways.counters()
        const cpuBefore = cpuSnapshot(t.processes)
        const load = await cannon(t.url, t.request, connections, durationS)
        const after = await settle(gateways.counters)
        runs[i]?.push({
          ...load,
          cpuMsPerRequest: cpuPerRequest(cpuBefore, cpuSnapshot(t.processes), load.sent),
          calls: after.map((n, k) => (n - (before[k] ?? 0)) / Math.max(1, load.sent)),
        })
        c.log(
          `app: round ${round + 1}: ${t.server} ${scenario.name} @${connections}: ${Math.round(load.rps)} req/s`
        )
      }
    }
    loaded.forEach((t, i) => {
      const measured = runs[i] ?? []
      const sum = (pick: (run: Load) => number) => measured.reduce((n, run) => n + pick(run), 0)
      const mid = (pick: (run: (typeof measured)[number]) => number) => median(measured.map(pick))
      const cpuMsPerRequest: Record<string, number> = {}
      for (const name of new Set(measured.flatMap((r) => Object.keys(r.cpuMsPerRequest)))) {
        cpuMsPerRequest[name] = median(measured.flatMap((r) => r.cpuMsPerRequest[name] ?? []))
      }
      rows.push({
        server: t.server,
        scenario: scenario.name,
        connections,
        durationS,
        runs: measured.map(({ rps, p50ms, p99ms, cpuMsPerRequest }) => ({
          rps,
          p50ms,
          p99ms,
          cpuMsPerRequest,
        })),
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
