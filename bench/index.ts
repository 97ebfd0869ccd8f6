// npm run bench -- [--only SECTIONS] [options]: `npm run bench -- --help` lists both. Runs the
// sections in order, prints their tables, and writes bench-results/<timestamp>.json (each
// section's result under its name) and .html (the charts and the printed text).
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { type BundleReport, measureBundle } from '../scripts/bundle-size.ts'
import type { SectionContext } from './context.ts'
import { backendsFromEnv, resetBenchData } from './infra/backends.ts'
import { acquireLock } from './infra/lock.ts'
import { NO_PEER_HINT } from './infra/peer.ts'
import { HELP, parseOptions, SECTIONS } from './options.ts'
import { REGISTRY } from './registry.ts'
import { htmlPage } from './report/charts.ts'

const loadAverage = () => loadavg().map((l) => Math.round(l * 100) / 100)

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2))
  if (options.help) {
    console.log(HELP)
    return 0
  }
  const run = {
    startedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: {
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverage: loadAverage(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    options: { ...options },
    loadAverageAtSection: {} as Record<string, number[]>,
    failures: [] as { section: string; error: string }[],
    finishedAt: '',
  }
  const results: Record<string, unknown> = {}
  const transcript: string[] = []
  const charts: string[] = []
  const say = (text: string) => {
    transcript.push(text)
    console.log(text)
  }
  const log = (line: string) => console.log(`  ${line}`)
  const { machine } = run
  say(
    `edge-status bench: ${options.sections.join(', ')}; ${machine.cpus} CPUs, load average ${machine.loadAverage.join(' ')}`
  )
  if (
    !options.peer &&
    options.sections.some((name) => name === 'app' || name === 'distance' || name === 'edge')
  ) {
    say(NO_PEER_HINT)
  }
  let built: Promise<BundleReport> | undefined
  const context: SectionContext = {
    options,
    backends: backendsFromEnv(),
    bundle: () => {
      built ??= measureBundle({ keepOutput: true })
      return built
    },
    log,
  }
  const chosen = SECTIONS.filter((name) => options.sections.includes(name))
  let release: (() => Promise<void>) | undefined
  try {
    for (const name of chosen) {
      const section = REGISTRY[name]
      const load = loadAverage()
      run.loadAverageAtSection[name] = load
      say(
        `\n== ${name} == (load average ${load.join(' ')}: other work on this machine skews figures)`
      )
      const started = Date.now()
      try {
        if (section.exclusive) release ??= await acquireLock(log)
        const outcome = await section.run(context)
        results[name] = outcome.result
        for (const text of outcome.text) say(text)
        charts.push(...outcome.charts)
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
        run.failures.push({ section: name, error: message })
        say(`${name} FAILED: ${message}`)
      }
      log(`${name} took ${Math.round((Date.now() - started) / 1000)} s`)
    }
  } finally {
    if (chosen.some((name) => REGISTRY[name].usesBackends)) {
      await resetBenchData(context.backends).catch(() => {})
    }
    await release?.()
    const bundle = await built?.catch(() => undefined)
    if (bundle) await rm(bundle.outDir, { recursive: true, force: true })
  }
  run.finishedAt = new Date().toISOString()
  await mkdir(options.out, { recursive: true })
  const stamp = join(options.out, run.startedAt.replace(/[:.]/g, '-'))
  await writeFile(`${stamp}.json`, `${JSON.stringify({ ...run, ...results }, null, 2)}\n`)
  const html = htmlPage(`edge-status bench ${run.startedAt}`, charts, transcript.join('\n'))
  await writeFile(`${stamp}.html`, html)
  say(`\nresults: ${stamp}.json\nchart:   ${stamp}.html`)
  if (run.failures.length > 0) {
    say(`FAILED sections: ${run.failures.map((f) => f.section).join(', ')}`)
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
