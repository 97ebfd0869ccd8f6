// Section "hash" (issue 4): the app's own hashPassword/verifyPassword (src/auth/password.ts),
// bundled into a throwaway Worker and run inside workerd (Miniflare), one call per request.
// Timed inside the Worker (performance.now; workerd advances it at I/O boundaries, 1 ms steps)
// and from outside (round trip minus an empty request). Node's scrypt at the same parameters is
// the reference row. No route is added to the app.
import { scrypt } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { quantile } from './measure.ts'
import { printTable, say } from './table.ts'

export const OWASP_STATEMENT =
  'OWASP Password Storage Cheat Sheet: scrypt with N=2^17 (128 MiB), r=8, p=1, or an equivalent ' +
  'configuration: N=2^16 r=8 p=2; N=2^15 r=8 p=3; N=2^14 r=8 p=5; N=2^13 r=8 p=10. ' +
  'Ours is N=2^14 r=8 p=5 (16 MiB per hash), one of the listed equivalents.'

const PASSWORD = 'correct horse battery staple, benchmarked'

export interface HashRow {
  runtime: string
  operation: 'hash' | 'verify'
  runs: number
  medianMs: number
  p99ms: number
  /** outside view: round trip minus the empty-request median (workerd rows only) */
  roundTripMedianMs?: number
}

export interface HashResult {
  params: { ln: number; r: number; p: number }
  owasp: string
  rows: HashRow[]
}

const ENTRY = (passwordModule: string) => `
import { CURRENT_PARAMS, hashPassword, verifyPassword } from ${JSON.stringify(passwordModule)}
const PASSWORD = ${JSON.stringify(PASSWORD)}
export default {
  async fetch(request) {
    const url = new URL(request.url)
    if (url.pathname === '/params') return Response.json(CURRENT_PARAMS)
    if (url.pathname === '/hash') {
      const started = performance.now()
      const hash = await hashPassword(PASSWORD)
      return Response.json({ ms: performance.now() - started, hash })
    }
    if (url.pathname === '/verify') {
      const stored = url.searchParams.get('hash') ?? undefined
      const started = performance.now()
      const result = await verifyPassword(PASSWORD, stored)
      return Response.json({ ms: performance.now() - started, ok: result.ok })
    }
    return new Response('')
  },
}`

async function bundleHashWorker(root: string): Promise<string> {
  const out = await build({
    stdin: {
      contents: ENTRY(join(root, 'src', 'auth', 'password.ts')),
      resolveDir: root,
      loader: 'js',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    external: ['node:*'],
    minify: true,
    write: false,
    logLevel: 'silent',
  })
  const file = out.outputFiles[0]
  if (!file) throw new Error('esbuild produced no output')
  return file.text
}

const summarize = (values: number[]) => {
  const sorted = Float64Array.from(values).sort()
  return { medianMs: quantile(sorted, 0.5), p99ms: quantile(sorted, 0.99) }
}

async function compatibility(root: string) {
  const toml = await readFile(join(root, 'wrangler.toml'), 'utf8')
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? '2026-10-01'
  return { compatibilityDate: date, compatibilityFlags: ['nodejs_compat'] }
}

export async function benchHash(root: string, runs: number): Promise<HashResult> {
  const mf = new Miniflare({
    workers: [
      {
        config: {
          name: 'hash-bench',
          ...(await compatibility(root)),
          manifest: {
            mainModule: 'hash.js',
            modules: { 'hash.js': { type: 'esm', contents: await bundleHashWorker(root) } },
          },
        },
      },
    ],
  })
  const rows: HashRow[] = []
  let params = { ln: 0, r: 0, p: 0 }
  try {
    const call = async (path: string) => {
      const started = performance.now()
      const res = await mf.dispatchFetch(`http://bench.invalid${path}`)
      const text = await res.text()
      if (!res.ok) throw new Error(`hash worker ${path}: HTTP ${res.status} ${text.slice(0, 200)}`)
      return { wall: performance.now() - started, text }
    }
    params = JSON.parse((await call('/params')).text) as typeof params
    // Warm-up, then the empty-request baseline.
    const { hash } = JSON.parse((await call('/hash')).text) as { hash: string }
    await call(`/verify?hash=${encodeURIComponent(hash)}`)
    const empty: number[] = []
    for (let i = 0; i < runs; i++) empty.push((await call('/')).wall)
    const baseline = summarize(empty).medianMs
    for (const operation of ['hash', 'verify'] as const) {
      const inside: number[] = []
      const outside: number[] = []
      for (let i = 0; i < runs; i++) {
        const path = operation === 'hash' ? '/hash' : `/verify?hash=${encodeURIComponent(hash)}`
        const { wall, text } = await call(path)
        const body = JSON.parse(text) as { ms: number; ok?: boolean }
        if (operation === 'verify' && body.ok !== true) throw new Error('verify returned ok: false')
        inside.push(body.ms)
        outside.push(wall - baseline)
      }
      rows.push({
        runtime: 'workerd (Miniflare)',
        operation,
        runs,
        ...summarize(inside),
        roundTripMedianMs: summarize(outside).medianMs,
      })
    }
  } finally {
    await mf.dispose()
  }
  // Reference: Node's own scrypt (OpenSSL) at the same parameters, in this process.
  const N = 2 ** params.ln
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now()
      scrypt(
        PASSWORD,
        'sixteen byte salt',
        32,
        { N, r: params.r, p: params.p, maxmem: 256 * N * params.r },
        (error) => (error ? reject(error) : resolve(performance.now() - started))
      )
    })
  const node: number[] = []
  for (let i = 0; i < runs; i++) node.push(await once())
  rows.push({
    runtime: `node ${process.version} (reference)`,
    operation: 'hash',
    runs,
    ...summarize(node),
  })
  return { params, owasp: OWASP_STATEMENT, rows }
}

export function printHash(result: HashResult): void {
  const { ln, r, p } = result.params
  printTable(
    `Password hashing: scrypt N=2^${ln} r=${r} p=${p} (src/auth/password.ts inside workerd)`,
    [
      { header: 'runtime' },
      { header: 'operation' },
      { header: 'runs' },
      { header: 'median ms', digits: 1 },
      { header: 'p99 ms', digits: 1 },
      { header: 'round trip − empty, median ms', digits: 1 },
    ],
    result.rows.map((row) => [
      row.runtime,
      row.operation,
      row.runs,
      row.medianMs,
      row.p99ms,
      row.roundTripMedianMs,
    ])
  )
  say(result.owasp)
}
