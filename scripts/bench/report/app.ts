// Terminal tables and chart of the app section.
import { ratio } from '../infra/stats.ts'
import { type AppResult, type AppRow, CONNECTIONS } from '../sections/app.ts'
import { barChart } from './charts.ts'
import { table } from './table.ts'

/** The tutorial's figures (architecture.md), for the peer's rows. */
const TUTORIAL_BACKEND_CALLS: Record<string, string> = {
  'GET / (anonymous)': '0 / 0',
  'GET /fetchStatus': '2 / 1',
  'POST /addStatus': '2 / 1',
  'POST /login': '1 / 1',
}

function budgetText(row: AppRow): string {
  if (row.server === 'peer') return `${TUTORIAL_BACKEND_CALLS[row.scenario] ?? '?'} (tutorial, doc)`
  if (!row.budget) return ''
  const over =
    (row.upstashPerRequest ?? 0) > row.budget[0] + 0.05 ||
    (row.planetscalePerRequest ?? 0) > row.budget[1] + 0.05
  return `<= ${row.budget[0]} / ${row.budget[1]}${over ? ' OVER BUDGET' : ''}`
}

export function appText(result: AppResult): string[] {
  const out: string[] = []
  out.push(
    'Layout: autocannon in this process; the Worker in workerd (started from a child process); ' +
      'the floor Worker (infra/floor.ts) the same way; each gateway in its own child process; the ' +
      'tutorial in its own Node process. ' +
      `Servers take turns in ${result.rounds} rounds (order alternating); req/s, latency and CPU ` +
      'are medians over the rounds. ' +
      'Latency percentiles from per-response hrtime; backend calls per request from the gateway ' +
      'counters over 10 sequential requests (exact).'
  )
  const durations = [...new Set(result.rows.map((r) => r.durationS))].join(' / ')
  out.push(
    table(
      `App vs tutorial: autocannon, ${durations} s per run, median of ${result.rounds} rounds; ours = ${result.server}; peer = ${result.peer ?? 'none'}`,
      [
        { header: 'scenario' },
        { header: 'server' },
        { header: 'conns' },
        { header: 'req/s' },
        { header: 'p50 ms', digits: 1 },
        { header: 'p99 ms', digits: 1 },
        { header: 'non-2xx' },
        { header: 'errors' },
        { header: 'upstash/req', digits: 2 },
        { header: 'sql/req', digits: 2 },
        { header: 'budget upstash / sql' },
      ],
      result.rows.map((r) => [
        r.scenario,
        r.server,
        r.connections,
        r.rps,
        r.p50ms,
        r.p99ms,
        r.non2xx,
        r.errors,
        r.upstashPerRequest,
        r.planetscalePerRequest,
        budgetText(r),
      ])
    )
  )
  const ours = result.rows.filter((r) => r.server === 'ours')
  const other = (server: AppRow['server'], r: AppRow) =>
    result.rows.find(
      (o) => o.server === server && o.scenario === r.scenario && o.connections === r.connections
    )
  out.push(
    table(
      'Ours / tutorial, ours / floor (a Worker with no app code making the same backend calls: the ' +
        'ceiling on this stack). req/s: higher is better for us; latency: lower is better',
      [
        { header: 'scenario' },
        { header: 'conns' },
        { header: 'ours req/s' },
        { header: 'floor req/s' },
        { header: 'peer req/s' },
        { header: 'ours/peer', digits: 2 },
        { header: 'ours/floor', digits: 2 },
        { header: 'floor/peer', digits: 2 },
        { header: 'p50 ours/peer', digits: 2 },
        { header: 'p99 ours/peer', digits: 2 },
      ],
      ours.map((r) => {
        const peer = other('peer', r)
        const floor = other('floor', r)
        return [
          r.scenario,
          r.connections,
          r.rps,
          floor?.rps,
          peer?.rps,
          ratio(r.rps, peer?.rps),
          ratio(r.rps, floor?.rps),
          ratio(floor?.rps, peer?.rps),
          ratio(r.p50ms, peer?.p50ms),
          ratio(r.p99ms, peer?.p99ms),
        ]
      })
    )
  )
  const top = Math.max(...CONNECTIONS)
  const atTop = result.rows.filter((r) => r.connections === top)
  const names = [...new Set(atTop.flatMap((r) => Object.keys(r.cpuMsPerRequest)))]
  out.push(
    table(
      `CPU ms per request by process at ${top} connections (from /proc; Redis and MariaDB not included)`,
      [
        { header: 'scenario' },
        { header: 'server' },
        ...names.map((name) => ({ header: name, digits: 2 })),
        { header: 'total', digits: 2 },
      ],
      atTop.map((r) => [
        r.scenario,
        r.server,
        ...names.map((name) => r.cpuMsPerRequest[name]),
        Object.values(r.cpuMsPerRequest).reduce((a, b) => a + b, 0),
      ])
    )
  )
  out.push(...floorTargets(result))
  return out
}

function floorTargets(result: AppResult): string[] {
  const { maxCpuRatio, minRpsRatio } = result.targets
  const verdict = (met: boolean) => (met ? 'met' : 'NOT MET')
  return [
    table(
      `Ours / floor against the targets (workerd CPU per request <= ${maxCpuRatio}x the floor's, ` +
        `req/s >= ${minRpsRatio}x); ratios are medians of the ${result.rounds} rounds' own ratios`,
      [
        { header: 'scenario' },
        { header: 'conns' },
        { header: 'ours CPU ms', digits: 3 },
        { header: 'floor CPU ms', digits: 3 },
        { header: 'CPU ours/floor', digits: 2 },
        { header: `<= ${maxCpuRatio}` },
        { header: 'ours req/s' },
        { header: 'floor req/s' },
        { header: 'req/s ours/floor', digits: 2 },
        { header: `>= ${minRpsRatio}` },
      ],
      result.floor.map((c) => [
        c.scenario,
        c.connections,
        c.oursCpuMs,
        c.floorCpuMs,
        c.cpuRatio,
        verdict(c.cpuMet),
        c.oursRps,
        c.floorRps,
        c.rpsRatio,
        verdict(c.rpsMet),
      ])
    ),
  ]
}

export function appCharts(result: AppResult): string[] {
  const bars = result.rows.map((r) => ({
    label: `${r.scenario} @${r.connections}`,
    value: r.rps,
    series: r.server,
  }))
  return [barChart('App vs tutorial: requests/s (median of the rounds)', bars, 'req/s')]
}
