// Section "app" (issue 4): the built Worker in workerd on the gateways and the real Redis/MariaDB,
// beside the floor Worker (infra/floor.ts) and the tutorial app, with autocannon in this process.
// Servers are loaded in interleaved rounds, the order alternating, so a busy moment on a shared
// machine falls on all of them alike; each figure is the median over the rounds.
import type { Backends } from '../infra/backends.ts'
import {
  cannon,
  cpuPerRequest,
  cpuSnapshot,
  type Load,
  probeBackendCalls,
  settle,
} from '../infra/http-load.ts'
import { type RunningPeer, startPeer } from '../infra/peer.ts'
import { startOursAndFloor } from '../infra/stack.ts'
import { median } from '../infra/stats.ts'
import type { WorkerHost } from '../infra/workerd.ts'
import {
  combine,
  compareWithFloor,
  FLOOR_TARGETS,
  type FloorComparison,
  type RoundRun,
} from './app-rounds.ts'
import { accountsFor, type Role, requestOf, SCENARIOS, seedAccounts } from './scenarios.ts'

export const CONNECTIONS = [2, 10]
export const SERVER_DESCRIPTION =
  'workerd (no Miniflare) serving the minified bundle of `wrangler deploy --dry-run`'

export type Server = 'ours' | 'floor' | 'peer'

export interface AppRow extends Load {
  server: Server
  scenario: string
  connections: number
  durationS: number
  /** rps, p50, p99 and CPU: medians of `runs`; requests, sent, non2xx, errors: sums */
  runs: RoundRun[]
  /** CPU ms per request sent, by process (after the server finished every request sent) */
  cpuMsPerRequest: Record<string, number>
  /** ours only: gateway requests per HTTP request (exact, sequential probe) */
  upstashPerRequest?: number
  planetscalePerRequest?: number
  budget?: [number, number]
  /** ours only: the same under load: counter delta / requests sent, median over rounds */
  underLoad?: [number, number]
}

export interface AppResult {
  server: string
  peer: string | null
  rounds: number
  rows: AppRow[]
  floor: FloorComparison[]
  targets: typeof FLOOR_TARGETS
}

export interface AppOptions {
  backends: Backends
  durationS: number
  rounds: number
  /** the built Worker (bundle-size.ts with keepOutput) */
  mainModule: string
  root: string
  /** undefined: start the tutorial app; 'none': no peer; else a URL */
  peer: string | undefined
  log: (line: string) => void
}

interface Target {
  server: Server
  url: string
  cookies: Record<Role, string>
  /** processes whose CPU time is charged to this server's requests */
  processes: Record<string, number | undefined>
}

async function runScenarios(
  targets: Target[],
  accounts: ReturnType<typeof accountsFor>,
  counters: () => Promise<number[]>,
  options: AppOptions
): Promise<AppRow[]> {
  const rows: AppRow[] = []
  for (const scenario of SCENARIOS) {
    const durationS = Math.max(options.durationS, scenario.minDurationS ?? 0)
    const perTarget = targets
      .filter((t) => t.server !== 'floor' || scenario.floor)
      .map((t) => ({
        ...t,
        endpoint: `${t.url}${scenario.path}`,
        request: requestOf(scenario, accounts, t.cookies),
      }))
    // Warm-up (JIT, Redis script cache, connection pools), not measured.
    for (const t of perTarget) await cannon(t.endpoint, t.request, Math.max(...CONNECTIONS), 1)
    await settle(counters)
    const ours = perTarget.find((t) => t.server === 'ours')
    const calls = ours && (await probeBackendCalls(ours.endpoint, ours.request, counters))
    for (const connections of CONNECTIONS) {
      const runs = perTarget.map(() => ({ runs: [] as RoundRun[], loads: [] as Load[] }))
      const underLoad: [number[], number[]] = [[], []]
      for (let round = 0; round < options.rounds; round++) {
        const order = perTarget.map((_, i) => i)
        if (round % 2 === 1) order.reverse()
        for (const i of order) {
          const t = perTarget[i] as (typeof perTarget)[number]
          const before = await counters()
          const cpuBefore = cpuSnapshot(t.processes)
          const load = await cannon(t.endpoint, t.request, connections, durationS)
          const after = await settle(counters)
          const { rps, p50ms, p99ms } = load
          const cpuMsPerRequest = cpuPerRequest(cpuBefore, cpuSnapshot(t.processes), load.sent)
          runs[i]?.runs.push({ rps, p50ms, p99ms, cpuMsPerRequest })
          runs[i]?.loads.push(load)
          if (t.server === 'ours') {
            for (const k of [0, 1] as const) {
              underLoad[k].push(((after[k] ?? 0) - (before[k] ?? 0)) / Math.max(1, load.sent))
            }
          }
          options.log(
            `app: round ${round + 1}: ${t.server} ${scenario.name} @${connections}: ${Math.round(rps)} req/s`
          )
        }
      }
      perTarget.forEach((t, i) => {
        const measured = runs[i] as { runs: RoundRun[]; loads: Load[] }
        const row: AppRow = {
          server: t.server,
          scenario: scenario.name,
          connections,
          durationS,
          runs: measured.runs,
          ...combine(measured.runs, measured.loads),
        }
        if (t.server === 'ours' && calls) {
          row.upstashPerRequest = calls[0]
          row.planetscalePerRequest = calls[1]
          row.budget = scenario.budget
          row.underLoad = [median(underLoad[0]), median(underLoad[1])]
        }
        rows.push(row)
      })
    }
  }
  return rows
}

export async function benchApp(options: AppOptions): Promise<AppResult> {
  const { log } = options
  const accounts = accountsFor(Date.now().toString(36))
  let cookies: Record<Role, string> | undefined
  const stack = await startOursAndFloor(options, async (url) => {
    cookies = await seedAccounts(url, accounts)
    return { reader: accounts.reader.user_email, writer: accounts.writer.user_email }
  })
  const { gateways, ours, floor } = stack
  let peer: RunningPeer | undefined
  try {
    log(
      `app: Worker on ${ours.url}, gateways on ${gateways.upstash.url} and ${gateways.planetscale.url}`
    )
    const processes = (workerd: WorkerHost) => ({
      'load generator': process.pid,
      workerd: workerd.workerdPid,
      'upstash gateway': gateways.upstash.pid,
      'planetscale gateway': gateways.planetscale.pid,
    })
    const seeded = cookies as Record<Role, string>
    const targets: Target[] = [
      { server: 'ours', url: ours.url, cookies: seeded, processes: processes(ours) },
      { server: 'floor', url: floor.host.url, cookies: seeded, processes: processes(floor.host) },
    ]
    peer = await startPeer(options.peer, options)
    if (peer) {
      targets.push({
        server: 'peer',
        url: peer.url,
        cookies: await seedAccounts(peer.url, accounts),
        processes: { 'load generator': process.pid, 'tutorial app': peer.pid },
      })
    }
    const rows = await runScenarios(targets, accounts, gateways.counters, options)
    return {
      server: SERVER_DESCRIPTION,
      peer: peer?.label ?? null,
      rounds: options.rounds,
      rows,
      floor: compareWithFloor(rows, Math.max(...CONNECTIONS)),
      targets: FLOOR_TARGETS,
    }
  } finally {
    await stack.close()
    await peer?.stop()
  }
}
