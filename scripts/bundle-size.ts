// Bundle budget: builds the Worker exactly as `wrangler deploy` would (a dry run; wrangler.toml's
// `minify` applies to both, so what is measured is what is deployed), measures the gzip size of
// what would be uploaded and lists what the bytes are made of.
//   node scripts/bundle-size.ts            table, exit 1 above the budget (part of `npm run check`)
//   node scripts/bundle-size.ts --json     the same figures as JSON
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { ROOT, WRANGLER_CLI, WRANGLER_ENV } from './lib/project.ts'
import { runCaptured } from './lib/run-captured.ts'

/** Cloudflare's free-plan limit is 3 MiB; ours is a self-imposed budget that keeps cold starts short. */
export const BUDGET_GZIP_BYTES = 64 * 1024

export interface Contributor {
  /** npm package (`hono`, `@upstash/redis`) or source folder (`src/views`) */
  name: string
  /** minified bytes this contributor left in the output */
  bytes: number
  /** share of the output's bytes, 0..1 */
  share: number
}

export interface BundleReport {
  /** bytes of the uploaded modules (source maps excluded), as wrangler's "Total Upload" */
  rawBytes: number
  /** gzip (zlib default level) of those modules in one stream, as wrangler computes it */
  gzipBytes: number
  budgetGzipBytes: number
  withinBudget: boolean
  /** wrangler's own "gzip: … KiB" line, for cross-checking; null when it was not printed */
  wranglerGzipKiB: number | null
  contributors: Contributor[]
  /** the built modules (kept only with keepOutput) */
  outDir: string
  mainModule: string
}

interface Metafile {
  outputs: Record<
    string,
    { bytes: number; entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }
  >
}

/** `node_modules/@scope/pkg/…` → `@scope/pkg`, `src/views/x.tsx` → `src/views`, `src/index.tsx` → `src`. */
export function contributorOf(input: string): string {
  const path = input.replace(/\\/g, '/')
  const at = path.lastIndexOf('node_modules/')
  if (at >= 0) {
    const parts = path.slice(at + 'node_modules/'.length).split('/')
    return (parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]) ?? path
  }
  const src = /(?:^|\/)src\/(?:([^/]+)\/)?/.exec(path)
  if (src) return src[1] ? `src/${src[1]}` : 'src'
  return path.startsWith('(') ? path : `other: ${path}`
}

function runWrangler(outDir: string): Promise<string> {
  const args = [WRANGLER_CLI, 'deploy', '--dry-run', '--outdir', outDir]
  args.push('--metafile', join(outDir, 'meta.json'))
  const env = {
    ...process.env,
    ...WRANGLER_ENV,
    CI: 'true',
    NO_COLOR: '1',
  }
  return runCaptured(process.execPath, args, { cwd: ROOT, env })
}

/** The bundled JS first, then every other module file wrangler put in outDir (not maps, not notes). */
async function uploadedModules(outDir: string, bundledFiles: string[]) {
  const others = (await readdir(outDir))
    .filter((name) => !/\.(map|md|json)$/.test(name))
    .map((name) => join(outDir, name))
    .filter((path) => !bundledFiles.includes(path))
    .sort()
  const contents = await Promise.all([...bundledFiles, ...others].map((path) => readFile(path)))
  const extra = others.map((path, i) => ({
    name: `${basename(path).replace(/^[0-9a-f]{40}-/, '')} (module)`,
    bytes: contents[bundledFiles.length + i]?.length ?? 0,
  }))
  return { contents, extra }
}

export interface MeasureOptions {
  /** keep the built Worker (the bench serves it); otherwise the temp folder is removed */
  keepOutput?: boolean
}

export async function measureBundle(options: MeasureOptions = {}): Promise<BundleReport> {
  const outDir = await mkdtemp(join(tmpdir(), 'edge-status-bundle-'))
  try {
    const output = await runWrangler(outDir)
    const meta = JSON.parse(await readFile(join(outDir, 'meta.json'), 'utf8')) as Metafile
    const modules = Object.entries(meta.outputs).filter(([file]) => !file.endsWith('.map'))
    const byContributor = new Map<string, number>()
    let attributed = 0
    for (const [, info] of modules) {
      for (const [input, { bytesInOutput }] of Object.entries(info.inputs)) {
        const name = contributorOf(input)
        byContributor.set(name, (byContributor.get(name) ?? 0) + bytesInOutput)
        attributed += bytesInOutput
      }
    }
    // Modules esbuild does not emit (imported .wasm) are copied beside the bundle as they are.
    const uploaded = await uploadedModules(
      outDir,
      modules.map(([file]) => resolve(ROOT, file))
    )
    for (const module of uploaded.extra) byContributor.set(module.name, module.bytes)
    const rawBytes = uploaded.contents.reduce((sum, bytes) => sum + bytes.length, 0)
    // As wrangler computes it: one gzip stream over all modules.
    const gzipBytes = gzipSync(Buffer.concat(uploaded.contents)).length
    const bundled = rawBytes - uploaded.extra.reduce((sum, module) => sum + module.bytes, 0)
    // esbuild's own glue (module wrappers, export maps) belongs to no input.
    if (bundled > attributed) byContributor.set('(bundler glue)', bundled - attributed)
    const contributors = [...byContributor]
      .map(([name, bytes]) => ({ name, bytes, share: bytes / rawBytes }))
      .sort((a, b) => b.bytes - a.bytes)
    const main = modules.find(([, info]) => info.entryPoint) ?? modules[0]
    if (!main) throw new Error('wrangler produced no module')
    const reported = /gzip:\s*([\d.]+)\s*KiB/.exec(output)
    return {
      rawBytes,
      gzipBytes,
      budgetGzipBytes: BUDGET_GZIP_BYTES,
      withinBudget: gzipBytes <= BUDGET_GZIP_BYTES,
      wranglerGzipKiB: reported ? Number(reported[1]) : null,
      contributors,
      outDir,
      mainModule: resolve(ROOT, main[0]),
    }
  } finally {
    if (!options.keepOutput) await rm(outDir, { recursive: true, force: true })
  }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`

/** The lines both this command and the bench print. */
export function formatBundleReport(report: BundleReport, top = 12): string[] {
  const lines = [
    `Worker bundle: ${kib(report.rawBytes)} minified, ${kib(report.gzipBytes)} gzip ` +
      `(budget ${kib(report.budgetGzipBytes)}: ${report.withinBudget ? 'OK' : 'OVER BUDGET'})` +
      (report.wranglerGzipKiB === null
        ? ''
        : `; wrangler reports ${report.wranglerGzipKiB} KiB gzip`),
    '',
    `  ${'contributor'.padEnd(28)}${'bytes'.padStart(10)}${'share'.padStart(8)}`,
  ]
  const shown = report.contributors.slice(0, top)
  for (const c of shown) {
    lines.push(
      `  ${c.name.padEnd(28)}${String(c.bytes).padStart(10)}${`${(c.share * 100).toFixed(1)}%`.padStart(8)}`
    )
  }
  const rest = report.contributors.slice(top)
  if (rest.length > 0) {
    const bytes = rest.reduce((sum, c) => sum + c.bytes, 0)
    const label = `(${rest.length} more)`
    lines.push(
      `  ${label.padEnd(28)}${String(bytes).padStart(10)}${`${((bytes / report.rawBytes) * 100).toFixed(1)}%`.padStart(8)}`
    )
  }
  return lines
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const report = await measureBundle()
    if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2))
    else for (const line of formatBundleReport(report)) console.log(line)
    if (!report.withinBudget) {
      console.error(
        `bundle-size: ${kib(report.gzipBytes)} gzip is over the ${kib(report.budgetGzipBytes)} budget`
      )
      process.exitCode = 1
    }
  } catch (error) {
    console.error(`bundle-size: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
}
