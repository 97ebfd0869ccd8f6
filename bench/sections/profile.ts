// Section "profile": the app built unminified, served by workerd with its inspector open, loaded on one route at 10 connections
// while V8's sampling profiler runs in the isolate. Writes the .cpuprofile (DevTools opens it)
// and sums self time by module and by function.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { ROOT, WRANGLER_CLI, WRANGLER_ENV } from '../../scripts/lib/project.ts'
import { runCaptured } from '../../scripts/lib/run-captured.ts'
import type { SectionContext } from '../context.ts'
import { cannon, settle } from '../infra/http-load.ts'
import type { CpuProfile } from '../infra/inspector.ts'
import { cpuMeter, perRequest } from '../infra/procfs.ts'
import { startBenchGateways, startBenchWorker } from '../infra/stack.ts'
import { accountsFor, seedAccounts } from '../infra/visitor.ts'
import { SCENARIOS } from './app.ts'

const CONNECTIONS = 10
const SAMPLING_INTERVAL_US = 100

export type ProfileResult = Awaited<ReturnType<typeof benchProfile>>

export async function benchProfile({ backends, options, log }: SectionContext) {
  const pathOf = (name: string) => name.split(' ')[1]
  const scenario = SCENARIOS.find((s) => pathOf(s.name) === options.route)
  if (!scenario) {
    const known = SCENARIOS.map((s) => pathOf(s.name)).join(', ')
    throw new Error(`profile: no scenario for ${options.route} (one of ${known})`)
  }
  const outdir = await mkdtemp(join(tmpdir(), 'edge-status-profile-'))
  const gateways = await startBenchGateways(backends)
  try {
    const mainModule = await buildUnminified(outdir)
    const worker = await startBenchWorker(gateways, mainModule, true)
    try {
      const accounts = accountsFor(Date.now().toString(36))
      const request = scenario.request(accounts, await seedAccounts(worker.url, accounts))
      await cannon(worker.url, request, CONNECTIONS, 2)
      await settle(gateways.counters)
      log(`profile: ${scenario.name} for ${options.durationS} s under the profiler`)
      const cpu = cpuMeter({ workerd: worker.pid })
      const { profile, result: load } = await worker.cpuProfile(SAMPLING_INTERVAL_US, () =>
        cannon(worker.url, request, CONNECTIONS, options.durationS)
      )
      const { workerd: workerdCpuMsPerRequest } = perRequest(cpu(), load.sent)
      await mkdir(options.out, { recursive: true })
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      const route = options.route.replace(/\W+/g, '-')
      const file = join(options.out, `${stamp}-profile${route}.cpuprofile`)
      await writeFile(file, JSON.stringify(profile))
      const bundle = await readFile(mainModule, 'utf8')
      return {
        route: options.route,
        scenario: scenario.name,
        durationS: options.durationS,
        connections: CONNECTIONS,
        samplingIntervalUs: SAMPLING_INTERVAL_US,
        /** under the profiler, with the inspector attached */
        requests: load.requests,
        rps: load.rps,
        workerdCpuMsPerRequest,
        file,
        ...selfTime(profile, bundle, basename(mainModule)),
      }
    } finally {
      await worker.close()
    }
  } finally {
    await gateways.close()
    await rm(outdir, { recursive: true, force: true })
  }
}

/** The app as `wrangler deploy --dry-run` builds it, but not minified (wrangler.toml minifies). */
async function buildUnminified(outdir: string): Promise<string> {
  const args = [WRANGLER_CLI, 'deploy', '--dry-run', '--minify=false', '--outdir', outdir]
  await runCaptured(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV, CI: 'true', NO_COLOR: '1' },
  })
  const scripts = (await readdir(outdir)).filter((file) => /\.m?js$/.test(file))
  if (scripts.length !== 1) throw new Error(`wrangler wrote ${scripts.length} scripts to ${outdir}`)
  return join(outdir, scripts[0] as string)
}

// esbuild's unminified output puts a `// node_modules/<pkg>/…` or `// src/…` line above each
// module's code: a frame in the bundle is named after the module it falls in.
const MODULE_COMMENT = /^\/\/ (node_modules\/(@[^/\s]+\/[^/\s]+|[^/\s]+)\/\S*|src\/\S+|\.\.\/\S+)$/

/**
 * Self time by module (package, or src/ file) and by function, the top 25 of each, with shares of
 * the busy time (every sample but idle). `bundleUrl`: what the profile calls the bundle (workerd:
 * the module's name). Frames without a url are V8's own: (program), (garbage collector), built-ins.
 */
function selfTime(profile: CpuProfile, bundle: string, bundleUrl: string) {
  let current = '(bundle prelude)'
  const lines = bundle.split('\n').map((line) => {
    const match = MODULE_COMMENT.exec(line)
    if (match) current = match[2] ?? (match[1] as string)
    return current
  })
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const byModule = new Map<string, number>()
  const byFunction = new Map<string, number>()
  const add = (totals: Map<string, number>, name: string, ms: number) =>
    totals.set(name, (totals.get(name) ?? 0) + ms)
  let totalMs = 0
  let idleMs = 0
  for (const [id, us] of selfUs) {
    const ms = us / 1000
    totalMs += ms
    const { functionName = '', url = '', lineNumber = -1 } = frames.get(id) ?? {}
    if (functionName === '(idle)') {
      idleMs += ms
      continue
    }
    const inBundle = url === bundleUrl
    const module = inBundle
      ? (lines[lineNumber] ?? '(bundle)')
      : url || (functionName.startsWith('(') ? functionName : '(V8 built-ins)')
    add(byModule, module, ms)
    const where = `${module}${inBundle ? ` (bundle:${lineNumber + 1})` : ''}`
    const own = url === '' && functionName.startsWith('(')
    add(byFunction, own ? functionName : `${functionName || '(anonymous)'} @ ${where}`, ms)
  }
  const busyMs = totalMs - idleMs
  const ranked = (totals: Map<string, number>) =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([name, ms]) => ({ name, ms, share: busyMs > 0 ? ms / busyMs : 0 }))
  return { totalMs, idleMs, byModule: ranked(byModule), byFunction: ranked(byFunction) }
}
