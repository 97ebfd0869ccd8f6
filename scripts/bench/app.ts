// Section "app" (issue 4): the built Worker in workerd (workerd.ts) on the
// gateways (child processes) and the real Redis/MariaDB, against the tutorial app, with autocannon
// in this process. Backend requests per request come from the gateways' counters.
import { join } from 'node:path'
import {
  ADDRESS,
  cannon,
  cpuPerRequest,
  cpuSnapshot,
  type Load,
  probeBackendCalls,
  type Role,
  requestOf,
  SCENARIOS,
  settle,
} from './app-load.ts'
import type { Backends } from './backends.ts'
import { type FloorWorker, startFloorWorker } from './floor.ts'
import type { WorkerHost } from './hosts.ts'
import { type Account, seedAccount, Visitor } from './journey.ts'
import {
  cleanTutorialData,
  cleanTutorialSessions,
  externalPeer,
  type RunningPeer,
  startTutorial,
} from './peer.ts'
import { startBenchGateways, startBenchWorker } from './stack.ts'

export const CONNECTIONS = [2, 10]
export const SEEDED_STATUSES = 20
export const EMAIL_DOMAIN = 'bench.invalid'
export const SERVER_DESCRIPTION =
  'workerd (no Miniflare) serving the minified bundle of `wrangler deploy --dry-run`'

export type Server = 'ours' | 'floor' | 'peer'

export interface AppRow extends Load {
  server: Server
  scenario: string
  connections: number
  durationS: number
  /** CPU ms per request sent, by process (after the server finished every request sent) */
  cpuMsPerRequest: Record<string, number>
  /** ours only: gateway requests per HTTP request (exact, sequential probe) */
  upstashPerRequest?: number
  planetscalePerRequest?: number
  budget?: [number, number]
  /** ours only: the same under load: counter delta / requests sent */
  underLoad?: [number, number]
}

export interface AppResult {
  server: string
  peer: string | null
  rows: AppRow[]
}

export interface AppOptions {
  backends: Backends
  durationS: number
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

function accountsFor(run: string): Record<Role, Account> {
  const account = (role: Role): Account => ({
    user_name: `Bench ${role}`,
    user_email: `${role}-${run}@${EMAIL_DOMAIN}`,
    user_password: `bench-${role}-password-${run}`,
  })
  return { reader: account('reader'), writer: account('writer'), login: account('login') }
}

/** The same three accounts on either server; the reader gets SEEDED_STATUSES statuses. */
async function seed(baseUrl: string, accounts: Record<Role, Account>) {
  const cookies = {
    reader: await seedAccount(baseUrl, accounts.reader, SEEDED_STATUSES),
    writer: await seedAccount(baseUrl, accounts.writer, 0),
    login: await seedAccount(baseUrl, accounts.login, 0),
  }
  const reader = new Visitor(baseUrl, ADDRESS)
  reader.cookie = cookies.reader
  const listed = await reader.fetchStatus()
  if (listed.length !== SEEDED_STATUSES) {
    throw new Error(
      `${baseUrl}/fetchStatus lists ${listed.length} statuses, not ${SEEDED_STATUSES}`
    )
  }
  return cookies
}

async function runScenarios(
  targets: Target[],
  accounts: Record<Role, Account>,
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
      for (const t of perTarget) {
        const before = await counters()
        const cpuBefore = cpuSnapshot(t.processes)
        const load = await cannon(t.endpoint, t.request, connections, durationS)
        const after = await settle(counters)
        const row: AppRow = {
          server: t.server,
          scenario: scenario.name,
          connections,
          durationS,
          ...load,
          cpuMsPerRequest: cpuPerRequest(cpuBefore, cpuSnapshot(t.processes), load.sent),
        }
        if (t.server === 'ours' && calls) {
          row.upstashPerRequest = calls[0]
          row.planetscalePerRequest = calls[1]
          row.budget = scenario.budget
          row.underLoad = [0, 1].map(
            (i) => ((after[i] ?? 0) - (before[i] ?? 0)) / Math.max(1, load.sent)
          ) as [number, number]
        }
        rows.push(row)
        options.log(
          `app: ${t.server} ${scenario.name} @${connections}: ${Math.round(row.rps)} req/s`
        )
      }
    }
  }
  return rows
}

export async function benchApp(options: AppOptions): Promise<AppResult> {
  const { backends, log } = options
  const gateways = await startBenchGateways(backends)
  const { upstash, planetscale } = gateways
  let worker: WorkerHost | undefined
  let floor: FloorWorker | undefined
  let peer: RunningPeer | undefined
  try {
    worker = await startBenchWorker(options, gateways)
    log(`app: Worker on ${worker.url}, gateways on ${upstash.url} and ${planetscale.url}`)
    const accounts = accountsFor(Date.now().toString(36))
    const cookies = await seed(worker.url, accounts)
    const processes = (workerd: WorkerHost) => ({
      'load generator': process.pid,
      workerd: workerd.workerdPid,
      'upstash gateway': upstash.pid,
      'planetscale gateway': planetscale.pid,
    })
    floor = await startFloorWorker(options, gateways, {
      reader: accounts.reader.user_email,
      writer: accounts.writer.user_email,
    })
    const targets: Target[] = [
      { server: 'ours', url: worker.url, cookies, processes: processes(worker) },
      { server: 'floor', url: floor.host.url, cookies, processes: processes(floor.host) },
    ]
    if (options.peer !== 'none') {
      peer =
        options.peer === undefined
          ? await startTutorial(
              join(options.root, '..', 'shared', 'peers', 'tutorial-app'),
              backends.mysqlUrl,
              log
            )
          : externalPeer(options.peer)
      targets.push({
        server: 'peer',
        url: peer.url,
        cookies: await seed(peer.url, accounts),
        processes: { 'load generator': process.pid, 'tutorial app': peer.pid },
      })
    }
    const counters = async () => [await upstash.requests(), await planetscale.requests()]
    const rows = await runScenarios(targets, accounts, counters, options)
    return { server: SERVER_DESCRIPTION, peer: peer?.label ?? null, rows }
  } finally {
    await worker?.close()
    await floor?.close()
    await gateways.close()
    if (peer) {
      await peer.stop()
      if (options.peer === undefined) {
        await cleanTutorialData(backends.mysqlUrl, `@${EMAIL_DOMAIN}`)
        const sessions = await cleanTutorialSessions(backends.redisUrl, `@${EMAIL_DOMAIN}`)
        log(`app: removed ${sessions} tutorial sessions of bench users from Redis database 0`)
      }
    }
  }
}
