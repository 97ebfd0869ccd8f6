// Workers the bench builds itself: throwaway ones written inline that import app modules (hash,
// floor), bundled as wrangler would with any .wasm they import copied beside them; and the app
// as `wrangler deploy --dry-run` builds it but unminified, so a CPU profile names its modules.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'
import { WRANGLER_CLI, WRANGLER_ENV } from '../../lib/project.ts'
import { runCaptured } from '../../lib/run-captured.ts'

/** Writes outdir/<name>.js and returns its path. */
export async function bundleBenchWorker(
  entry: string,
  root: string,
  outdir: string,
  name: string
): Promise<string> {
  await build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['node:*'],
    loader: { '.wasm': 'copy' },
    minify: true,
    outdir,
    entryNames: name,
    logLevel: 'silent',
  })
  return join(outdir, `${name}.js`)
}

/**
 * The app built by wrangler without --minify: esbuild leaves a `// node_modules/<pkg>/…` or
 * `// src/…` comment above each module's code. Returns the main module's path.
 */
export async function buildUnminifiedWorker(root: string, outdir: string): Promise<string> {
  await runCaptured(process.execPath, [WRANGLER_CLI, 'deploy', '--dry-run', '--outdir', outdir], {
    cwd: root,
    env: { ...process.env, ...WRANGLER_ENV, CI: 'true', NO_COLOR: '1' },
  })
  const scripts = (await readdir(outdir)).filter((file) => /\.m?js$/.test(file))
  if (scripts.length !== 1) throw new Error(`wrangler wrote ${scripts.length} scripts to ${outdir}`)
  return join(outdir, scripts[0] as string)
}
