// Section "distance": what a far backend costs each route. One connection, sequential
// requests, p50/p99 per route at 0 ms and at a round trip of --rtt: ours and the floor through
// gateways started with --latency-ms (one round trip per backend request), the tutorial with its
// Redis and MariaDB behind TCP proxies delaying each chunk half of it each way. (p50 at rtt − p50
// at 0) / rtt is the number of round trips on the critical path; for ours the gateways' own
// timelines also give it directly.

import type { SectionContext } from '../context.ts'
import { heaviestChain } from '../infra/chains.ts'
import type { GatewayStats } from '../infra/hosts.ts'
import { settle } from '../infra/http-load.ts'
import { type BenchGateways, startTargets } from '../infra/stack.ts'
import { percentiles } from '../infra/stats.ts'
import {
  type Accounts,
  credentials,
  EMAIL_DOMAIN,
  get,
  type HttpRequest,
  post,
  type Role,
  tutorialFailed,
  Visitor,
} from '../infra/visitor.ts'

const WARMUP_REQUESTS = 5
const PROBES = 3

type Server = 'ours' | 'floor' | 'tutorial'

interface RouteContext {
  server: Server
  visitor: Visitor
  accounts: Accounts
  cookies: Record<Role, string>
  /** unique per server and phase, for accounts created while measuring */
  run: string
}

interface Route {
  name: string
  servers: Server[]
  /** the target: backend round trips on ours' critical path */
  depth: string
  /** the request to time; preparing it (a fresh session to log out) is not timed */
  prepare(c: RouteContext, n: number): HttpRequest | Promise<HttpRequest>
}

const ALL: Server[] = ['ours', 'floor', 'tutorial']
const APPS: Server[] = ['ours', 'tutorial']
const loginRequest = (c: RouteContext) => post('/login', credentials(c.accounts.login))
const asReader = (path: string) => (c: RouteContext) => get(path, c.cookies.reader)

const ROUTES: Route[] = [
  { name: 'GET / (anonymous)', servers: ALL, depth: '0', prepare: () => get('/') },
  { name: 'GET /home', servers: ALL, depth: '1', prepare: asReader('/home') },
  { name: 'GET /fetchStatus', servers: ALL, depth: '1', prepare: asReader('/fetchStatus') },
  {
    name: 'POST /addStatus',
    servers: ALL,
    depth: '2',
    prepare: (c, n) => post('/addStatus', { status: `distance ${n}` }, c.cookies.writer),
  },
  { name: 'POST /login', servers: APPS, depth: '2 + hash', prepare: loginRequest },
  {
    name: 'POST /register',
    servers: APPS,
    depth: '1 + hash (overlapping)',
    prepare: (c, n) =>
      post('/register', {
        user_name: `Distance ${n}`,
        user_email: `distance-${c.run}-${n}@${EMAIL_DOMAIN}`,
        user_password: `distance-password-${n}`,
      }),
  },
  {
    name: 'logout',
    servers: APPS,
    depth: '1',
    prepare: async (c) => {
      const { cookie, status } = await c.visitor.send(loginRequest(c))
      if (!cookie) throw new Error(`${c.server}: POST /login set no cookie (${status})`)
      // The tutorial's logout is its GET link; ours answers a POST (the GET is kept for it too).
      return c.server === 'tutorial' ? get('/logout', cookie) : post('/logout', {}, cookie)
    },
  },
  { name: 'GET /account', servers: ['ours'], depth: '1', prepare: asReader('/account') },
]

export type DistanceResult = Awaited<ReturnType<typeof benchDistance>>
export type DistanceRow = DistanceResult['rows'][number]

export async function benchDistance(c: SectionContext) {
  const { rttMs, requests } = c.options
  const zero = await phase(c, 0)
  const far = await phase(c, rttMs)
  const rows = ROUTES.flatMap((route) =>
    route.servers.flatMap((server) => {
      const atZero = zero.timings.get(`${route.name} ${server}`)
      const atRtt = far.timings.get(`${route.name} ${server}`)
      if (!atZero || !atRtt) return []
      const deltaP50Ms = atRtt.p50ms - atZero.p50ms
      const ours = { measuredDepth: far.depths.get(route.name), targetDepth: route.depth }
      return [
        {
          route: route.name,
          server,
          atZero,
          atRtt,
          deltaP50Ms,
          roundTrips: deltaP50Ms / rttMs,
          ...(server === 'ours' ? ours : {}),
        },
      ]
    })
  )
  return { rttMs, requests, warmup: WARMUP_REQUESTS, probes: PROBES, tutorial: far.tutorial, rows }
}

/** One phase: every server started for this round trip, timed, then stopped. */
async function phase(c: SectionContext, rttMs: number) {
  const stack = await startTargets(c, rttMs)
  const run = `${Date.now().toString(36)}-${rttMs}`
  const timings = new Map<string, ReturnType<typeof percentiles> & { requests: number }>()
  let depths = new Map<string, number[]>()
  try {
    const servers = stack.targets.map((t) => ({
      ...t,
      server: (t.server === 'peer' ? 'tutorial' : t.server) as Server,
    }))
    c.log(`distance: ${rttMs} ms round trip, ${servers.map((t) => t.server).join(', ')}`)
    for (const target of servers) {
      const visitor = new Visitor(target.url)
      const { accounts } = stack
      const context: RouteContext = { ...target, visitor, accounts, run: `${run}-${target.server}` }
      try {
        for (const route of ROUTES.filter((r) => r.servers.includes(target.server))) {
          const latencies: number[] = []
          for (let n = 0; n < WARMUP_REQUESTS + c.options.requests; n++) {
            const { ms } = await send(context, route, await route.prepare(context, n))
            if (n >= WARMUP_REQUESTS) latencies.push(ms)
          }
          const key = `${route.name} ${target.server}`
          timings.set(key, { ...percentiles(latencies), requests: latencies.length })
        }
        if (target.server === 'ours' && rttMs > 0) {
          depths = await measureDepth({ ...context, run: `${run}-depth` }, stack.gateways)
        }
      } finally {
        visitor.close()
      }
    }
    return { timings, depths, tutorial: stack.peer }
  } finally {
    await stack.close()
  }
}

async function send(c: RouteContext, route: Route, request: HttpRequest) {
  const response = await c.visitor.send(request)
  if (response.status >= 400 || tutorialFailed(response.body)) {
    const { status, body } = response
    throw new Error(`${c.server} ${route.name}: HTTP ${status} ${body.slice(0, 200)}`)
  }
  return response
}

/** Route name → the depth each of PROBES requests of ours showed, one request at a time. */
async function measureDepth(c: RouteContext, gateways: BenchGateways) {
  const readings = () => Promise.all([gateways.upstash.stats(), gateways.planetscale.stats()])
  const depths = new Map<string, number[]>()
  for (const route of ROUTES.filter((r) => r.servers.includes('ours'))) {
    const chains: number[] = []
    for (let n = 0; n < PROBES; n++) {
      const request = await route.prepare(c, n)
      // Whatever the preparation started has ended before the first reading.
      await settle(gateways.counters)
      const before = await readings()
      await send(c, route, request)
      await settle(gateways.counters)
      const after = await readings()
      const intervals = before.flatMap((stats, i) => since(stats, after[i] ?? stats))
      chains.push(heaviestChain(intervals.map(([start, end]) => ({ start, end, weight: 1 }))))
    }
    depths.set(route.name, chains)
  }
  return depths
}

type Interval = [number, number]

/** The requests a gateway recorded ([start, end] in its clock) between two readings. */
function since(before: GatewayStats, after: GatewayStats): Interval[] {
  const count = after.requests - before.requests
  return count > 0 ? after.recent.slice(-count) : []
}
