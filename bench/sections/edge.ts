// Section "edge": what reading from replicas saves each route when the Worker runs near the user
// and the primary region is far. One connection, sequential requests, p50/p99 per route for ours
// with replicas, ours without (every backend request to the far primary), the floor Worker with
// replicas and the tutorial app served from the primary region (infra/edge-stack.ts). (p50 − p50
// of GET /) / --far-ms is the number of round trips to the primary region.

import type { SectionContext } from '../context.ts'
import { farSpans, heaviestChain } from '../infra/chains.ts'
import {
  type Distances,
  type EdgeServer,
  type EdgeTarget,
  READ_PRIMARY_AFTER_WRITE_MS,
  startEdgeTargets,
} from '../infra/edge-stack.ts'
import { percentiles } from '../infra/stats.ts'
import {
  type Accounts,
  credentials,
  get,
  type HttpRequest,
  post,
  tutorialFailed,
  Visitor,
  withSetCookies,
} from '../infra/visitor.ts'

const WARMUP_REQUESTS = 5
/** requests per route and server whose backend requests are read from the gateways' timelines */
const PROBES = 2

interface RouteContext extends EdgeTarget {
  visitor: Visitor
  accounts: Accounts
}

interface Route {
  name: string
  servers: EdgeServer[]
  /** round trips to the primary region on ours' critical path, with replicas and without */
  target: { replicas: string; primaryOnly: string }
  /** the request to time; preparing it (a fresh session to log out) is not timed */
  prepare(c: RouteContext, n: number): HttpRequest | Promise<HttpRequest>
  /** whose cookies the answer updates, as a browser's would be */
  role?: 'reader' | 'writer'
}

const OURS: EdgeServer[] = ['ours, replicas', 'ours, primary only']
const APPS: EdgeServer[] = [...OURS, 'tutorial']
const ALL: EdgeServer[] = [...APPS, 'floor, replicas']
const loginRequest = (c: RouteContext) => post('/login', credentials(c.accounts.login))
const asReader = (path: string) => (c: RouteContext) => get(path, c.cookies.reader)

export const ROUTES: Route[] = [
  {
    name: 'GET / (anonymous)',
    servers: ALL,
    target: { replicas: '0', primaryOnly: '0' },
    prepare: () => get('/'),
  },
  {
    name: 'GET /home',
    servers: ALL,
    target: { replicas: '0', primaryOnly: '1' },
    prepare: asReader('/home'),
    role: 'reader',
  },
  {
    name: 'GET /fetchStatus',
    servers: ALL,
    target: { replicas: '0', primaryOnly: '1' },
    prepare: asReader('/fetchStatus'),
    role: 'reader',
  },
  {
    name: 'GET /account',
    servers: OURS,
    target: { replicas: '0', primaryOnly: '1' },
    prepare: asReader('/account'),
    role: 'reader',
  },
  {
    name: 'POST /addStatus',
    servers: ALL,
    target: { replicas: '1', primaryOnly: '2' },
    prepare: (c, n) => post('/addStatus', { status: `edge ${n}` }, c.cookies.writer),
    role: 'writer',
  },
  {
    name: 'logout',
    servers: APPS,
    target: { replicas: '1', primaryOnly: '1' },
    prepare: async (c) => {
      const { setCookies, status } = await c.visitor.send(loginRequest(c))
      const cookie = withSetCookies(undefined, setCookies)
      if (!cookie) throw new Error(`${c.server}: POST /login set no cookie (${status})`)
      // The tutorial's logout is its GET link; ours answers a POST.
      return c.server === 'tutorial' ? get('/logout', cookie) : post('/logout', {}, cookie)
    },
  },
  {
    name: 'POST /login',
    servers: APPS,
    target: { replicas: '2 + hash', primaryOnly: '2 + hash' },
    prepare: loginRequest,
  },
]

export type EdgeResult = Awaited<ReturnType<typeof benchEdge>>
export type EdgeRow = EdgeResult['rows'][number]

export async function benchEdge(c: SectionContext) {
  const { nearMs, farMs, lagMs, requests } = c.options
  const distances: Distances = { nearMs, farMs, lagMs }
  const stack = await startEdgeTargets(c, distances)
  type Timing = ReturnType<typeof percentiles> & { requests: number; farDepths: number[] }
  const timings = new Map<string, Timing>()
  try {
    // The reader's last write (seeding its statuses) sends its reads to the primary this long.
    const quiet = stack.seededAt + READ_PRIMARY_AFTER_WRITE_MS + lagMs - Date.now()
    if (quiet > 0) await new Promise((resolve) => setTimeout(resolve, quiet))
    for (const target of stack.targets) {
      c.log(`edge: ${target.server}`)
      const visitor = new Visitor(target.url)
      // Each server gets its own copy: the cookies one answers set go to its own next requests.
      const context: RouteContext = {
        ...target,
        cookies: { ...target.cookies },
        visitor,
        accounts: stack.accounts,
      }
      try {
        for (const route of ROUTES.filter((r) => r.servers.includes(target.server))) {
          const latencies: number[] = []
          for (let n = 0; n < WARMUP_REQUESTS + requests; n++) {
            const { ms } = await send(context, route, await route.prepare(context, n))
            if (n >= WARMUP_REQUESTS) latencies.push(ms)
          }
          const farDepths: number[] = []
          for (let n = 0; n < (target.timelines.length > 0 ? PROBES : 0); n++) {
            const request = await route.prepare(context, n)
            const spans = await farSpans(target.timelines, () => send(context, route, request))
            farDepths.push(heaviestChain(spans))
          }
          timings.set(`${route.name} ${target.server}`, {
            ...percentiles(latencies),
            requests: latencies.length,
            farDepths,
          })
        }
      } finally {
        visitor.close()
      }
    }
  } finally {
    await stack.close()
  }
  const rows = stack.targets.flatMap(({ server }) => {
    const base = timings.get(`${ROUTES[0]?.name} ${server}`)
    return ROUTES.flatMap((route) => {
      const timing = timings.get(`${route.name} ${server}`)
      if (!timing || !base) return []
      const target =
        server === 'ours, primary only'
          ? route.target.primaryOnly
          : server === 'tutorial'
            ? undefined
            : route.target.replicas
      const roundTrips = (timing.p50ms - base.p50ms) / farMs
      return [{ route: route.name, server, ...timing, roundTrips, target }]
    })
  })
  const { tutorial } = stack
  return { ...distances, requests, warmup: WARMUP_REQUESTS, probes: PROBES, tutorial, rows }
}

/** Sends it, keeps the cookies the answer sets for the role's next requests. */
async function send(c: RouteContext, route: Route, request: HttpRequest) {
  const response = await c.visitor.send(request)
  if (response.status >= 400 || tutorialFailed(response.body)) {
    const { status, body } = response
    throw new Error(`${c.server} ${route.name}: HTTP ${status} ${body.slice(0, 200)}`)
  }
  if (route.role) {
    c.cookies[route.role] =
      withSetCookies(c.cookies[route.role], response.setCookies) ?? c.cookies[route.role]
  }
  return response
}
