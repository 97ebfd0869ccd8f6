// Section "hash" (issue 4): the app's own hashPassword/verifyPassword (src/auth/password.ts),
// bundled into a throwaway Worker and served by workerd (infra/workerd.ts), one call per request.
// Argon2id runs synchronously, and workerd's clock stands still between I/O, so time inside the
// Worker reads 0: the cost is workerd's CPU time per call (all its threads, from schedstat), with
// the round trip minus an empty request as the outside view. Node's own Argon2id (OpenSSL) at the
// same parameters is the reference row. No route is added to the app.
import { argon2 } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleBenchWorker } from '../infra/bundle-worker.ts'
import { preciseCpuMs } from '../infra/procfs.ts'
import { percentiles } from '../infra/stats.ts'
import { WorkerHost } from '../infra/workerd.ts'

export const OWASP_STATEMENT =
  'OWASP Password Storage Cheat Sheet: Argon2id with m=19 MiB, t=2, p=1, or an equivalent ' +
  'configuration: m=46 MiB t=1; m=12 MiB t=3; m=9 MiB t=4; m=7 MiB t=5 (p=1). ' +
  'Ours is m=19 MiB t=2 p=1, the first of them.'

const PASSWORD = 'correct horse battery staple, benchmarked'

export interface HashRow {
  runtime: string
  operation: 'hash' | 'verify'
  runs: number
  /** workerd rows: CPU ms of the workerd process per call; Node row: wall ms of one call */
  medianMs: number
  p99ms: number
  /** outside view: round trip minus the empty-request median (workerd rows only) */
  roundTripMedianMs?: number
}

export interface HashResult {
  params: { m: number; t: number; p: number }
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
    if (url.pathname === '/hash') return Response.json({ hash: await hashPassword(PASSWORD) })
    if (url.pathname === '/verify') {
      const result = await verifyPassword(PASSWORD, url.searchParams.get('hash') ?? undefined)
      return Response.json({ ok: result.ok })
    }
    return new Response('')
  },
}`

const summarize = (values: number[]) => {
  const { p50ms, p99ms } = percentiles(values)
  return { medianMs: p50ms, p99ms }
}

function nodeArgon2id(params: HashResult['params']): Promise<number> {
  const started = performance.now()
  return new Promise((resolve, reject) =>
    argon2(
      'argon2id',
      {
        message: PASSWORD,
        nonce: 'sixteen byte sal',
        parallelism: params.p,
        passes: params.t,
        memory: params.m,
        tagLength: 32,
      },
      (error) => (error ? reject(error) : resolve(performance.now() - started))
    )
  )
}

export async function benchHash(root: string, runs: number): Promise<HashResult> {
  const outdir = await mkdtemp(join(tmpdir(), 'edge-status-hash-'))
  const rows: HashRow[] = []
  let params = { m: 0, t: 0, p: 0 }
  let stop = async () => {}
  try {
    const mainModule = await bundleBenchWorker(
      ENTRY(join(root, 'src', 'auth', 'password.ts')),
      root,
      outdir,
      'hash'
    )
    const workerd = await WorkerHost.start({
      mainModule,
      wranglerConfig: join(root, 'wrangler.toml'),
      bindings: {},
    })
    stop = () => workerd.close()
    const call = async (path: string) => {
      const cpuBefore = preciseCpuMs(workerd.workerdPid) ?? Number.NaN
      const started = performance.now()
      const res = await fetch(`${workerd.url}${path}`)
      const text = await res.text()
      const wall = performance.now() - started
      const cpu = (preciseCpuMs(workerd.workerdPid) ?? Number.NaN) - cpuBefore
      if (!res.ok) throw new Error(`hash worker ${path}: HTTP ${res.status} ${text.slice(0, 200)}`)
      return { wall, cpu, text }
    }
    params = JSON.parse((await call('/params')).text) as typeof params
    // Warm-up (the first hash instantiates the WebAssembly), then the empty-request baselines.
    const { hash } = JSON.parse((await call('/hash')).text) as { hash: string }
    await call(`/verify?hash=${encodeURIComponent(hash)}`)
    const empty = { wall: [] as number[], cpu: [] as number[] }
    for (let i = 0; i < runs; i++) {
      const { wall, cpu } = await call('/')
      empty.wall.push(wall)
      empty.cpu.push(cpu)
    }
    const baseline = { wall: summarize(empty.wall).medianMs, cpu: summarize(empty.cpu).medianMs }
    for (const operation of ['hash', 'verify'] as const) {
      const cpu: number[] = []
      const outside: number[] = []
      for (let i = 0; i < runs; i++) {
        const path = operation === 'hash' ? '/hash' : `/verify?hash=${encodeURIComponent(hash)}`
        const result = await call(path)
        const body = JSON.parse(result.text) as { ok?: boolean }
        if (operation === 'verify' && body.ok !== true) throw new Error('verify returned ok: false')
        cpu.push(result.cpu - baseline.cpu)
        outside.push(result.wall - baseline.wall)
      }
      rows.push({
        runtime: 'workerd, CPU',
        operation,
        runs,
        ...summarize(cpu),
        roundTripMedianMs: summarize(outside).medianMs,
      })
    }
  } finally {
    await stop()
    await rm(outdir, { recursive: true, force: true })
  }
  const node: number[] = []
  for (let i = 0; i < runs; i++) node.push(await nodeArgon2id(params))
  rows.push({
    runtime: `node ${process.version} OpenSSL (reference), wall`,
    operation: 'hash',
    runs,
    ...summarize(node),
  })
  return { params, owasp: OWASP_STATEMENT, rows }
}
