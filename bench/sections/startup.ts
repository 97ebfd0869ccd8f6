// Section "startup": the CPU a fresh isolate spends loading our Worker (module evaluation and all
// its top-level work) beside a bare Hono Worker, both built as `wrangler deploy` builds them. Each
// run is a fresh workerd serving an entry that imports the Worker on its first request: workerd's
// CPU (every thread, from /proc at nanosecond resolution) for that request, minus the same request
// once the import is cached, is the startup. Alternating runs, the median of each.
// (`wrangler check startup` profiles the same import, but samples too coarsely to time a bare
// Worker; it stays the way to see where the time goes, as a flame graph.)
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, WRANGLER_CLI, WRANGLER_ENV } from '../../scripts/lib/project.ts'
import { runCaptured } from '../../scripts/lib/run-captured.ts'
import type { SectionContext } from '../context.ts'
import { cpuMs } from '../infra/procfs.ts'
import { median } from '../infra/stats.ts'
import { startWorkerd } from '../infra/workerd.ts'

const BARE = join(ROOT, 'bench', 'fixtures', 'bare-hono', 'wrangler.toml')
/** Ours may take this many times the bare Worker's startup CPU, or any amount under ABSOLUTE_MS. */
export const TARGET_RATIO = 1.5
export const TARGET_ABSOLUTE_MS = 20
const ENTRY = 'startup-entry.mjs'

const wrangler = (args: string[]) =>
  runCaptured(process.execPath, [WRANGLER_CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV, CI: 'true', NO_COLOR: '1' },
  })

/** Builds into `outdir` and adds the entry that imports the built Worker on /__load. */
async function build(outdir: string, extra: string[]): Promise<string> {
  await wrangler(['deploy', '--dry-run', ...extra, '--outdir', outdir])
  const [main] = (await readdir(outdir)).filter((file) => /\.m?js$/.test(file))
  if (!main) throw new Error(`startup: wrangler wrote no module to ${outdir}`)
  const entry = join(outdir, ENTRY)
  await writeFile(
    entry,
    `export default {
  async fetch(request) {
    if (new URL(request.url).pathname === '/__load') await import(${JSON.stringify(`./${main}`)})
    return new Response('up')
  },
}
`
  )
  return entry
}

/** One fresh workerd: CPU ms of the importing request minus the same request after it. */
async function startupMs(entry: string): Promise<number> {
  const host = await startWorkerd(entry, {})
  try {
    const request = async () => {
      const before = cpuMs(host.pid) ?? Number.NaN
      await (await fetch(`${host.url}/__load`)).text()
      return (cpuMs(host.pid) ?? Number.NaN) - before
    }
    for (let i = 0; i < 3; i++) await (await fetch(`${host.url}/warm`)).text()
    const first = await request()
    const cached = median([await request(), await request(), await request()])
    return first - cached
  } finally {
    await host.close()
  }
}

export type StartupResult = Awaited<ReturnType<typeof benchStartup>>

export async function benchStartup({ options, log }: SectionContext) {
  const { unstable_readConfig } = await import('wrangler')
  const app = unstable_readConfig({ config: join(ROOT, 'wrangler.toml') })
  const dir = await mkdtemp(join(tmpdir(), 'edge-status-startup-'))
  try {
    const sameRuntime = ['--compatibility-date', app.compatibility_date ?? '2026-10-01']
    for (const flag of app.compatibility_flags ?? [])
      sameRuntime.push('--compatibility-flags', flag)
    const entries = {
      ours: await build(join(dir, 'ours'), []),
      bare: await build(join(dir, 'bare'), ['--config', BARE, ...sameRuntime]),
    }
    const runs = { ours: [] as number[], bare: [] as number[] }
    for (let round = 0; round < options.startupRuns; round++) {
      // Alternating, so a busy moment on the machine falls on both alike.
      const order = round % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const)
      for (const name of order) runs[name].push(await startupMs(entries[name]))
      const [ours, bare] = [runs.ours.at(-1), runs.bare.at(-1)].map((ms) => ms?.toFixed(2))
      log(`startup: round ${round + 1}: ours ${ours} ms, bare ${bare} ms`)
    }
    const oursMs = median(runs.ours)
    const bareMs = median(runs.bare)
    const ratio = oursMs / bareMs
    return {
      runs: options.startupRuns,
      oursMs,
      bareMs,
      ratio,
      samples: runs,
      targetRatio: TARGET_RATIO,
      targetAbsoluteMs: TARGET_ABSOLUTE_MS,
      withinTarget: ratio <= TARGET_RATIO || oursMs < TARGET_ABSOLUTE_MS,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
