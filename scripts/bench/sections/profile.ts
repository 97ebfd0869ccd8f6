// Section "profile" (issue 9: "profile first and say where the time went"): the app built
// unminified, served by workerd with its inspector open, loaded on one route at 10 connections
// while V8's sampling profiler runs in the isolate. Writes the .cpuprofile (DevTools opens it)
// and sums self time by module and by function.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import type { Backends } from '../infra/backends.ts'
import { buildUnminifiedWorker } from '../infra/bundle-worker.ts'
import { type ProfileSummary, summarizeProfile } from '../infra/cpu-profile.ts'
import { cannon, cpuPerRequest, cpuSnapshot, settle } from '../infra/http-load.ts'
import { startBenchGateways, startBenchWorker } from '../infra/stack.ts'
import { accountsFor, requestOf, SCENARIOS, seedAccounts } from './scenarios.ts'

const CONNECTIONS = 10
const WARMUP_S = 2
const SAMPLING_INTERVAL_US = 100

export interface ProfileResult extends ProfileSummary {
  route: string
  scenario: string
  durationS: number
  connections: number
  samplingIntervalUs: number
  /** under the profiler, with the inspector attached */
  requests: number
  rps: number
  workerdCpuMsPerRequest: number | undefined
  /** the .cpuprofile written */
  file: string
}

export interface ProfileOptions {
  backends: Backends
  root: string
  route: string
  durationS: number
  /** the results folder */
  out: string
  log: (line: string) => void
}

export async function benchProfile(options: ProfileOptions): Promise<ProfileResult> {
  const scenario = SCENARIOS.find((s) => s.path === options.route)
  if (!scenario) {
    const known = SCENARIOS.map((s) => s.path).join(', ')
    throw new Error(`profile: no scenario for ${options.route} (one of ${known})`)
  }
  const outdir = await mkdtemp(join(tmpdir(), 'edge-status-profile-'))
  const gateways = await startBenchGateways(options.backends)
  try {
    const mainModule = await buildUnminifiedWorker(options.root, outdir)
    const worker = await startBenchWorker({ ...options, mainModule, inspect: true }, gateways)
    try {
      const accounts = accountsFor(Date.now().toString(36))
      const cookies = await seedAccounts(worker.url, accounts)
      const endpoint = `${worker.url}${scenario.path}`
      const request = requestOf(scenario, accounts, cookies)
      await cannon(endpoint, request, CONNECTIONS, WARMUP_S)
      await settle(gateways.counters)
      options.log(`profile: ${scenario.name} for ${options.durationS} s under the profiler`)
      const processes = { workerd: worker.workerdPid }
      const before = cpuSnapshot(processes)
      const { profile, result: load } = await worker.cpuProfile(SAMPLING_INTERVAL_US, () =>
        cannon(endpoint, request, CONNECTIONS, options.durationS)
      )
      const cpu = cpuPerRequest(before, cpuSnapshot(processes), load.sent)
      await mkdir(options.out, { recursive: true })
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      const file = join(
        options.out,
        `${stamp}-profile${scenario.path.replace(/\W+/g, '-')}.cpuprofile`
      )
      await writeFile(file, JSON.stringify(profile))
      const bundle = await readFile(mainModule, 'utf8')
      return {
        route: scenario.path,
        scenario: scenario.name,
        durationS: options.durationS,
        connections: CONNECTIONS,
        samplingIntervalUs: SAMPLING_INTERVAL_US,
        requests: load.requests,
        rps: load.rps,
        workerdCpuMsPerRequest: cpu.workerd,
        file,
        ...summarizeProfile(profile, bundle, basename(mainModule)),
      }
    } finally {
      await worker.close()
    }
  } finally {
    await gateways.close()
    await rm(outdir, { recursive: true, force: true })
  }
}
