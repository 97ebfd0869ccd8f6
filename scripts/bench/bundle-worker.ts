// The bench's throwaway Workers (hash.ts, floor.ts) are written inline and import app modules:
// bundled here as wrangler would, with any .wasm they import copied beside them.
import { join } from 'node:path'
import { build } from 'esbuild'

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
