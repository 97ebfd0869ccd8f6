// npm run bench -- [--only gateways,app,hash,bundle,soak | all] [--duration S] [--peer URL | --no-peer]
//                  [--soak-minutes N] [--soak-users N] [--sample-seconds S] [--hash-runs N] [--out DIR]
// Default: gateways, app, hash and bundle (a few minutes); soak only when asked for (--only soak,
// --only all, or --soak-minutes). Prints tables, writes bench-results/<timestamp>.json and .html.
import { rm } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { type BundleReport, formatBundleReport, measureBundle } from '../bundle-size.ts'
import { ROOT } from '../lib/project.ts'
import { benchApp } from './app.ts'
import { printApp } from './app-print.ts'
import { backendsFromEnv, resetBenchData } from './backends.ts'
import { benchGateways } from './gateways.ts'
import { printGateways } from './gateways-print.ts'
import { benchHash, printHash } from './hash.ts'
import { acquireLock, BENCH_LOCK, type HeldLock } from './lock.ts'
import { type BenchResults, writeResults } from './report.ts'
import { benchSoak } from './soak.ts'
import { printSoak } from './soak-report.ts'
import { say } from './table.ts'

const SECTIONS = ['gateways', 'app', 'hash', 'bundle', 'soak'] as const
type Section = (typeof SECTIONS)[number]
const DEFAULT_SECTIONS: Section[] = ['gateways', 'app', 'hash', 'bundle']

const HELP = `Usage: npm run bench -- [options]
  --only LIST          sections, comma-separated: ${SECTIONS.join(',')} (or "all"); default ${DEFAULT_SECTIONS.join(',')}
  --duration S         seconds per load run (gateways, app), default 5
  --peer URL           compare against this server (tutorial routes) instead of starting the tutorial app
  --no-peer            no comparison
  --soak-minutes N     soak length, default 3 (giving it adds the soak section)
  --soak-users N       concurrent journeys in the soak, default 4
  --sample-seconds S   soak sampling interval, default 5
  --hash-runs N        hash and verify runs, default 30
  --out DIR            results folder, default bench-results`

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`)
  return n
}

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      duration: { type: 'string' },
      peer: { type: 'string' },
      'no-peer': { type: 'boolean' },
      'soak-minutes': { type: 'string' },
      'soak-users': { type: 'string' },
      'sample-seconds': { type: 'string' },
      'hash-runs': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  let sections: Section[] = [...DEFAULT_SECTIONS]
  if (values.only === 'all') sections = [...SECTIONS]
  else if (values.only) {
    const named = values.only.split(',').map((s) => s.trim())
    const unknown = named.filter((s) => !(SECTIONS as readonly string[]).includes(s))
    if (unknown.length > 0) throw new Error(`unknown section(s): ${unknown.join(', ')}`)
    sections = named as Section[]
  } else if (values['soak-minutes'] !== undefined) sections.push('soak')
  return {
    help: values.help ?? false,
    sections,
    durationS: positive('duration', values.duration, 5),
    peer: values['no-peer'] ? 'none' : values.peer,
    soakMinutes: positive('soak-minutes', values['soak-minutes'], 3),
    soakUsers: Math.round(positive('soak-users', values['soak-users'], 4)),
    sampleSeconds: positive('sample-seconds', values['sample-seconds'], 5),
    hashRuns: Math.round(positive('hash-runs', values['hash-runs'], 30)),
    out: resolve(ROOT, values.out ?? 'bench-results'),
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2))
  if (options.help) {
    console.log(HELP)
    return 0
  }
  const log = (line: string) => console.log(`  ${line}`)
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: {
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    options: { ...options },
    loadAverageAtSection: {},
    failures: [],
  }
  const has = (s: Section) => options.sections.includes(s)
  say(
    `edge-status bench: ${options.sections.join(', ')}; ${results.machine.cpus} CPUs, load average ${results.machine.loadAverage.join(' ')}`
  )
  const backends = backendsFromEnv()
  let bundle: BundleReport | undefined
  /** Why the build failed: each section that needs the bundle fails with it. */
  let bundleFailure: unknown
  const builtBundle = () => {
    if (!bundle) throw bundleFailure ?? new Error('no bundle was built')
    return bundle
  }
  let lock: HeldLock | undefined
  const section = async (name: Section, work: () => Promise<void>) => {
    if (!has(name)) return
    const load = loadavg().map((l) => Math.round(l * 100) / 100)
    results.loadAverageAtSection[name] = load
    say(
      `\n== ${name} == (load average ${load.join(' ')}: other work on this machine skews figures)`
    )
    const started = Date.now()
    try {
      if (name !== 'bundle') lock ??= await acquireLock(BENCH_LOCK, log)
      await work()
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
      results.failures.push({ section: name, error: message })
      say(`${name} FAILED: ${message}`)
    }
    log(`${name} took ${Math.round((Date.now() - started) / 1000)} s`)
  }
  try {
    if (has('bundle') || has('app') || has('soak')) {
      try {
        bundle = await measureBundle({ keepOutput: has('app') || has('soak') })
      } catch (error) {
        bundleFailure = error
      }
    }
    await section('bundle', async () => {
      const { outDir: _outDir, mainModule: _main, ...report } = builtBundle()
      results.bundle = report
      for (const line of formatBundleReport(builtBundle())) say(line)
    })
    await section('gateways', async () => {
      results.gateways = await benchGateways(backends, options.durationS * 1000)
      printGateways(results.gateways)
    })
    await section('app', async () => {
      results.app = await benchApp({
        backends,
        durationS: options.durationS,
        mainModule: builtBundle().mainModule,
        root: ROOT,
        peer: options.peer,
        log,
      })
      printApp(results.app)
    })
    await section('hash', async () => {
      results.hash = await benchHash(ROOT, options.hashRuns)
      printHash(results.hash)
    })
    await section('soak', async () => {
      results.soak = await benchSoak({
        backends,
        mainModule: builtBundle().mainModule,
        root: ROOT,
        minutes: options.soakMinutes,
        users: options.soakUsers,
        sampleSeconds: options.sampleSeconds,
        log,
      })
      printSoak(results.soak)
    })
  } finally {
    if (has('gateways') || has('app') || has('soak')) await resetBenchData(backends).catch(() => {})
    await lock?.release()
    if (bundle) await rm(bundle.outDir, { recursive: true, force: true })
  }
  results.finishedAt = new Date().toISOString()
  const written = await writeResults(options.out, results)
  say(`\nresults: ${written.json}\nchart:   ${written.html}`)
  if (results.failures.length > 0) {
    say(`FAILED sections: ${results.failures.map((f) => f.section).join(', ')}`)
    return 1
  }
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
)
