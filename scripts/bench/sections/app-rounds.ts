// The app section's rounds: one server's runs combined into medians, and ours set against the
// floor round by round (the two runs of the same round), with the targets of issue 9.
import type { Load } from '../infra/http-load.ts'
import { median } from '../infra/stats.ts'
import type { AppRow } from './app.ts'

/** issue 9: what the app may cost beyond the floor at the top connection count */
export const FLOOR_TARGETS = { maxCpuRatio: 1.2, minRpsRatio: 0.85 }

/** One run of one server in one round. */
export interface RoundRun {
  rps: number
  p50ms: number
  p99ms: number
  /** CPU ms per request sent, by process */
  cpuMsPerRequest: Record<string, number>
}

/** Ours against the floor, round by round (the same round's two runs), at the top connection count. */
export interface FloorComparison {
  scenario: string
  connections: number
  /** workerd CPU ms per request: medians over rounds */
  oursCpuMs: number
  floorCpuMs: number
  /** median of the per-round ratios ours / floor */
  cpuRatio: number
  oursRps: number
  floorRps: number
  rpsRatio: number
  cpuMet: boolean
  rpsMet: boolean
}

/** A server's rounds as one row: rates and latencies their medians, counts their sums. */
export function combine(runs: RoundRun[], loads: Load[]) {
  const sum = (pick: (l: Load) => number) => loads.reduce((total, l) => total + pick(l), 0)
  const cpuMsPerRequest: Record<string, number> = {}
  for (const name of new Set(runs.flatMap((r) => Object.keys(r.cpuMsPerRequest)))) {
    cpuMsPerRequest[name] = median(runs.flatMap((r) => r.cpuMsPerRequest[name] ?? []))
  }
  return {
    requests: sum((l) => l.requests),
    sent: sum((l) => l.sent),
    non2xx: sum((l) => l.non2xx),
    errors: sum((l) => l.errors),
    rps: median(runs.map((r) => r.rps)),
    p50ms: median(runs.map((r) => r.p50ms)),
    p99ms: median(runs.map((r) => r.p99ms)),
    cpuMsPerRequest,
  }
}

export function compareWithFloor(rows: AppRow[], top: number): FloorComparison[] {
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
