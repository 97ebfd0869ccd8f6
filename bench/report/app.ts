// Terminal tables and chart of the app section.
import { ratio } from '../infra/stats.ts'
import { type AppResult, type AppRow, CONNECTIONS } from '../sections/app.ts'
import { barChart } from './charts.ts'
import { type Column, loadColumns, table } from './table.ts'

/** The tutorial's backend calls per request (read from its code), for the peer's rows. */
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
  const { rows, rounds } = result
  const durations = [...new Set(rows.map((r) => r.durationS))].join(' / ')
  const other = (server: AppRow['server'], r: AppRow) =>
    rows.find(
      (o) => o.server === server && o.scenario === r.scenario && o.connections === r.connections
    )
  const top = Math.max(...CONNECTIONS)
  const atTop = rows.filter((r) => r.connections === top)
  const processes = [...new Set(atTop.flatMap((r) => Object.keys(r.cpuMsPerRequest)))]
  const { maxCpuRatio, minRpsRatio } = result.targets
  const verdict = (met: boolean) => (met ? 'met' : 'NOT MET')
  return [
    'Layout: autocannon in this process; the Worker in workerd (started from a child process); ' +
      'the floor Worker (infra/floor.ts) the same way; each gateway in its own child process; ' +
      `the tutorial in its own Node process. Servers take turns in ${rounds} rounds (order ` +
      'alternating); req/s, latency and CPU are medians over the rounds. Latency percentiles from ' +
      'per-response hrtime; backend calls per request from the gateway counters over 10 ' +
      'sequential requests (exact).',
    table(
      `App vs tutorial: autocannon, ${durations} s per run, median of ${rounds} rounds; ours = ${result.server}; peer = ${result.peer ?? 'none'}`,
      [
        ['scenario', (r) => r.scenario],
        ['server', (r) => r.server],
        ['conns', (r) => r.connections],
        ...loadColumns<AppRow>(1),
        ['non-2xx', (r) => r.non2xx],
        ['errors', (r) => r.errors],
        ['upstash/req', (r) => r.upstashPerRequest, 2],
        ['sql/req', (r) => r.planetscalePerRequest, 2],
        ['budget upstash / sql', budgetText],
      ],
      rows
    ),
    table(
      'Ours / tutorial, ours / floor (a Worker with no app code making the same backend calls: the ' +
        'ceiling on this stack). req/s: higher is better for us; latency: lower is better',
      [
        ['scenario', (r) => r.scenario],
        ['conns', (r) => r.connections],
        ['ours req/s', (r) => r.rps],
        ['floor req/s', (r) => other('floor', r)?.rps],
        ['peer req/s', (r) => other('peer', r)?.rps],
        ['ours/peer', (r) => ratio(r.rps, other('peer', r)?.rps), 2],
        ['ours/floor', (r) => ratio(r.rps, other('floor', r)?.rps), 2],
        ['floor/peer', (r) => ratio(other('floor', r)?.rps, other('peer', r)?.rps), 2],
        ['p50 ours/peer', (r) => ratio(r.p50ms, other('peer', r)?.p50ms), 2],
        ['p99 ours/peer', (r) => ratio(r.p99ms, other('peer', r)?.p99ms), 2],
      ],
      rows.filter((r) => r.server === 'ours')
    ),
    table(
      `CPU ms per request by process at ${top} connections (from /proc; Redis and MariaDB not included)`,
      [
        ['scenario', (r) => r.scenario],
        ['server', (r) => r.server],
        ...processes.map((name): Column<AppRow> => [name, (r) => r.cpuMsPerRequest[name], 2]),
        ['total', (r) => Object.values(r.cpuMsPerRequest).reduce((a, b) => a + b, 0), 2],
      ],
      atTop
    ),
    table(
      `Ours / floor against the targets (workerd CPU per request <= ${maxCpuRatio}x the floor's, ` +
        `req/s >= ${minRpsRatio}x); ratios are medians of the ${rounds} rounds' own ratios`,
      [
        ['scenario', (c) => c.scenario],
        ['conns', (c) => c.connections],
        ['ours CPU ms', (c) => c.oursCpuMs, 3],
        ['floor CPU ms', (c) => c.floorCpuMs, 3],
        ['CPU ours/floor', (c) => c.cpuRatio, 2],
        [`<= ${maxCpuRatio}`, (c) => verdict(c.cpuMet)],
        ['ours req/s', (c) => c.oursRps],
        ['floor req/s', (c) => c.floorRps],
        ['req/s ours/floor', (c) => c.rpsRatio, 2],
        [`>= ${minRpsRatio}`, (c) => verdict(c.rpsMet)],
      ],
      result.floor
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
