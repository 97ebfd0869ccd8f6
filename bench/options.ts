// The bench's command line: which sections, and the options each takes.
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ROOT } from '../scripts/lib/project.ts'

export const SECTIONS = [
  'bundle',
  'gateways',
  'app',
  'hash',
  'startup',
  'distance',
  'edge',
  'soak',
  'profile',
] as const
export type SectionName = (typeof SECTIONS)[number]
const DEFAULT_SECTIONS: SectionName[] = ['gateways', 'app', 'hash', 'startup', 'bundle']

export const HELP = `Usage: npm run bench -- [options]
Sections (--only, comma-separated; "all" for every one; default ${DEFAULT_SECTIONS.join(',')}):
  gateways   each gateway with its official client vs direct ioredis/mysql2 vs a bare HTTP server
  app        ours, the floor Worker and the peer (if any) under autocannon at 2 and 10 connections:
             req/s, latency, CPU per request by process, backend calls per request, ours/floor targets
  hash       Argon2id (src/auth/password.ts) in workerd: CPU per hash and verify
  startup    CPU to load the Worker in a fresh workerd isolate, ours vs a bare
             Hono Worker, median of --startup-runs each; target <= 1.5x the bare one or < 20 ms
  bundle     the Worker's gzip size against its budget, by contributor
  distance   one connection, p50/p99 per route at 0 ms and at --rtt for ours, the floor and a
             peer folder (its Redis and MariaDB behind a TCP delay); round trips on the critical path
  edge       the Worker near the user, the primary region far: one connection, p50/p99 per route
             for ours with replicas (reads near) and without (all far), the floor with replicas,
             and a peer folder served from the primary region; round trips to the primary region
  soak       a mixed journey for --soak-minutes; the gateways' memory over time
  profile    a V8 CPU profile of the Worker in workerd under load (--route); self time by module
Options:
  --duration S         seconds per load run (gateways, app, profile), default 5
  --rounds N           app: interleaved rounds per server, default 5 (figures are their medians)
  --peer FOLDER|URL    compare with a peer (none by default): the 2015 tutorial app's folder (the
                       bench installs and starts it on the same Redis and MariaDB), or the URL of
                       any server speaking its routes
  --rtt MS             distance: the simulated round trip, default 50
  --requests N         distance, edge: sequential requests per route and server (and round
                       trip), default 50
  --near-ms MS         edge: added to each answer of a read region, default 5
  --far-ms MS          edge: added to each answer of the primary region, default 150
  --replica-lag-ms MS  edge: the replicas' lag (on the replication link), default 250
  --route PATH         profile: /fetchStatus (default), /addStatus, / or /login
  --soak-minutes N     soak length, default 3 (giving it adds the soak section)
  --soak-users N       concurrent journeys in the soak, default 4
  --sample-seconds S   soak sampling interval, default 5
  --hash-runs N        hash and verify runs, default 30
  --startup-runs N     startup: profiled loads of each Worker, default 7
  --out DIR            results folder, default bench-results
Environment: REDIS_URL, MYSQL_URL (the backends); BENCH_REDIS_DB (default 7) and
BENCH_MYSQL_DATABASE (default edge_status_bench), the bench's own database on each`

export type BenchOptions = ReturnType<typeof parseOptions>

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`)
  return n
}

function sectionsOf(only: string | undefined, soakMinutes: string | undefined): SectionName[] {
  if (only === 'all') return [...SECTIONS]
  if (only) {
    const named = only.split(',').map((s) => s.trim())
    const unknown = named.filter((s) => !(SECTIONS as readonly string[]).includes(s))
    if (unknown.length > 0) throw new Error(`unknown section(s): ${unknown.join(', ')}`)
    return named as SectionName[]
  }
  return soakMinutes === undefined ? [...DEFAULT_SECTIONS] : [...DEFAULT_SECTIONS, 'soak']
}

function peerOf(peer: string | undefined): string | undefined {
  if (!peer) return undefined
  if (/^https?:\/\//i.test(peer)) return peer
  return resolve(process.env.INIT_CWD ?? process.cwd(), peer)
}

export function parseOptions(argv: string[]) {
  const text = { type: 'string' } as const
  const { values } = parseArgs({
    args: argv,
    options: {
      only: text,
      duration: text,
      rounds: text,
      peer: text,
      rtt: text,
      requests: text,
      'near-ms': text,
      'far-ms': text,
      'replica-lag-ms': text,
      route: text,
      'soak-minutes': text,
      'soak-users': text,
      'sample-seconds': text,
      'hash-runs': text,
      'startup-runs': text,
      out: text,
      help: { type: 'boolean', short: 'h' },
    },
  })
  return {
    help: values.help ?? false,
    sections: sectionsOf(values.only, values['soak-minutes']),
    durationS: positive('duration', values.duration, 5),
    // One round's ours/floor ratio ranged 0.94–1.70 on this 2-core machine: a median of 5 is steadier.
    rounds: Math.round(positive('rounds', values.rounds, 5)),
    // A folder is relative to where npm was run from, not to the project root.
    peer: peerOf(values.peer),
    rttMs: positive('rtt', values.rtt, 50),
    requests: Math.round(positive('requests', values.requests, 50)),
    nearMs: positive('near-ms', values['near-ms'], 5),
    farMs: positive('far-ms', values['far-ms'], 150),
    lagMs: positive('replica-lag-ms', values['replica-lag-ms'], 250),
    route: values.route ?? '/fetchStatus',
    soakMinutes: positive('soak-minutes', values['soak-minutes'], 3),
    soakUsers: Math.round(positive('soak-users', values['soak-users'], 4)),
    sampleSeconds: positive('sample-seconds', values['sample-seconds'], 5),
    hashRuns: Math.round(positive('hash-runs', values['hash-runs'], 30)),
    startupRuns: Math.round(positive('startup-runs', values['startup-runs'], 7)),
    out: resolve(ROOT, values.out ?? 'bench-results'),
  }
}
