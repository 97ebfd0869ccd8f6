// Terminal tables and charts of the edge section.
import type { EdgeServer } from '../infra/edge-stack.ts'
import type { EdgeResult, EdgeRow } from '../sections/edge.ts'
import { barChart } from './charts.ts'
import { type Column, table } from './table.ts'

const SERVERS: EdgeServer[] = [
  'ours, replicas',
  'ours, primary only',
  'floor, replicas',
  'tutorial',
]

/** The leading number of a target such as "2 + hash". */
const targetNumber = (target: string | undefined) =>
  target === undefined ? undefined : Number.parseFloat(target)

/** The far requests in sequence each probe showed: "1", or "1–2" when they differed. */
const depthText = (depths: number[] | undefined) => {
  if (!depths || depths.length === 0) return undefined
  const [low, high] = [Math.min(...depths), Math.max(...depths)]
  return low === high ? String(low) : `${low}–${high}`
}

const routesOf = (rows: EdgeRow[]) => [...new Set(rows.map((r) => r.route))]

export function edgeText(result: EdgeResult): string[] {
  const { nearMs, farMs, lagMs, rows } = result
  const present = SERVERS.filter((server) => rows.some((r) => r.server === server))
  const cell = (route: string, server: EdgeServer) => {
    const row = rows.find((r) => r.route === route && r.server === server)
    return row ? `${row.p50ms.toFixed(1)} (${row.roundTrips.toFixed(2)})` : '–'
  }
  const ours = (route: string) =>
    rows.find((r) => r.route === route && r.server === 'ours, replicas')
  type Summary = {
    route: string
    cells: string[]
    depth: string | undefined
    target: string | undefined
  }
  const summary: Summary[] = routesOf(rows).map((route) => ({
    route,
    cells: present.map((server) => cell(route, server)),
    depth: depthText(ours(route)?.farDepths),
    target: ours(route)?.target,
  }))
  return [
    `Layout: the Worker near the user, the primary region ${farMs} ms away, read regions ${nearMs} ms ` +
      `away, replicas lagging ${lagMs} ms behind (real Redis and MariaDB replication, the lag on the ` +
      `link). One keep-alive connection per server, ${result.requests} sequential requests per route ` +
      `after ${result.warmup} unmeasured. Ours with replicas: the Upstash gateway answers reads from ` +
      `the Redis replica (+${nearMs} ms) and the rest from the primary (+${farMs} ms); statuses come ` +
      `from a read-only PlanetScale region (+${nearMs} ms); the visitor keeps its cookies as a ` +
      'browser does (the signed last-write cookie included), reads measured after its last write ' +
      'stopped pinning them to the primary. Ours without replicas: both gateways at the primary ' +
      `(+${farMs} ms each answer). The floor: the same calls as ours' minimum, reading where ours ` +
      `reads with replicas. The tutorial (${result.tutorial ?? 'not run'}): served from the primary ` +
      `region, its backends local, each request and answer delayed ${farMs / 2} ms by a TCP proxy, so ` +
      'its GET / already pays the one far round trip every request pays. Ours spends ~35 ms of ' +
      'Argon2id CPU in POST /login (the hash section). Far in sequence: in each of ' +
      `${result.probes} probe requests, the most backend requests answered by a primary that ran ` +
      "one after another, read from the gateways' timelines.",
    table(
      `Edge: p50 ms per route (round trips to the primary region = (p50 − p50 of GET /) / ${farMs})`,
      [
        ['route', (r) => r.route],
        ...present.map((server, i): Column<Summary> => [server, (r) => r.cells[i]]),
        ['far in sequence (gateways)', (r) => r.depth],
        ['target (ours, replicas)', (r) => r.target],
      ],
      summary
    ),
    table(
      `Edge: every figure, ms (near ${nearMs}, far ${farMs}, lag ${lagMs})`,
      [
        ['route', (r) => r.route],
        ['server', (r) => r.server],
        ['p50', (r) => r.p50ms, 1],
        ['p99', (r) => r.p99ms, 1],
        ['round trips', (r) => r.roundTrips, 2],
        ['far in sequence (gateways)', (r) => depthText(r.farDepths)],
        ['target', (r) => r.target],
      ],
      rows
    ),
  ]
}

export function edgeCharts({ rows, nearMs, farMs, lagMs }: EdgeResult): string[] {
  const order = (a: EdgeRow, b: EdgeRow) =>
    routesOf(rows).indexOf(a.route) - routesOf(rows).indexOf(b.route) ||
    SERVERS.indexOf(a.server) - SERVERS.indexOf(b.server)
  const sorted = [...rows].sort(order)
  const label = (r: EdgeRow) => `${r.route} ${r.server}`
  const setting = `near ${nearMs} ms, far ${farMs} ms, lag ${lagMs} ms`
  return [
    barChart(
      `Edge: p50 ms per route and server (${setting})`,
      sorted.map((r) => ({ label: label(r), value: r.p50ms, series: r.server })),
      'ms'
    ),
    barChart(
      `Edge: round trips to the primary region, (p50 − p50 of GET /) / ${farMs}, against the target`,
      sorted
        .filter((r) => r.route !== rows[0]?.route)
        .map((r) => ({
          label: label(r),
          value: r.roundTrips,
          series: r.server,
          mark: targetNumber(r.target),
        })),
      'round trips'
    ),
  ]
}
