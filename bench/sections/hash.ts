// Section "hash": the app's own hashPassword/verifyPassword (src/auth/password.ts),
// bundled into a throwaway Worker and served by workerd, one call per request. Argon2id runs
// synchronously, and workerd's clock stands still between I/O, so time inside the Worker reads 0:
// the cost is workerd's CPU time per call (all its threads, from schedstat), with the round trip
// minus an empty request as the outside view. Node's own Argon2id (OpenSSL) at the same
// parameters is the reference row. No route is added to the app.
import { argon2 } from 'node:crypto'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from '../../scripts/lib/project.ts'
import type { SectionContext } from '../context.ts'
import { cpuMs } from '../infra/procfs.ts'
import { percentiles } from '../infra/stats.ts'
import { startInlineWorker } from '../infra/workerd.ts'

const OWASP_STATEMENT =
  'OWASP Password Storage Cheat Sheet: Argon2id with m=19 MiB, t=2, p=1, or an equivalent ' +
  'configuration: m=46 MiB t=1; m=12 MiB t=3; m=9 MiB t=4; m=7 MiB t=5 (p=1). ' +
  'Ours is m=19 MiB t=2 p=1, the first of them.'

const PASSWORD = 'correct horse battery staple, benchmarked'
const argon2Async = promisify(argon2)

const ENTRY = `
import { CURRENT_PARAMS, hashPassword, verifyPassword } from ${JSON.stringify(join(ROOT, 'src', 'auth', 'password.ts'))}
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

interface HashRow {
  runtime: string
  operation: 'hash' | 'verify'
  runs: number
  /** workerd rows: CPU ms of the workerd process per call; Node row: wall ms of one call */
  medianMs: number
  p99ms: number
  /** outside view: round trip minus the empty-request median (workerd rows only) */
  roundTripMedianMs?: number
}

const summarize = (values: number[]) => {
  const { p50ms, p99ms } = percentiles(values)
  return { medianMs: p50ms, p99ms }
}

export type HashResult = Awaited<ReturnType<typeof benchHash>>

export async function benchHash({ options }: SectionContext) {
  const runs = options.hashRuns
  const rows: HashRow[] = []
  const workerd = await startInlineWorker(ENTRY, {})
  let params = { m: 0, t: 0, p: 0 }
  try {
    const call = async (path: string) => {
      const cpuBefore = cpuMs(workerd.pid) ?? Number.NaN
      const started = performance.now()
      const res = await fetch(`${workerd.url}${path}`)
      const text = await res.text()
      const wall = performance.now() - started
      const cpu = (cpuMs(workerd.pid) ?? Number.NaN) - cpuBefore
      if (!res.ok) throw new Error(`hash worker ${path}: HTTP ${res.status} ${text.slice(0, 200)}`)
      const body = JSON.parse(text || '{}')
      if (path.startsWith('/verify') && body.ok !== true)
        throw new Error('verify returned ok: false')
      return { wall, cpu, body }
    }
    const series = async (path: string) => {
      const calls = []
      for (let i = 0; i < runs; i++) calls.push(await call(path))
      return { wall: calls.map((c) => c.wall), cpu: calls.map((c) => c.cpu) }
    }
    params = (await call('/params')).body
    // Warm-up (the first hash instantiates the WebAssembly), then the empty-request baselines.
    const { hash } = (await call('/hash')).body as { hash: string }
    const verify = `/verify?hash=${encodeURIComponent(hash)}`
    await call(verify)
    const empty = await series('/')
    const baseline = { wall: summarize(empty.wall).medianMs, cpu: summarize(empty.cpu).medianMs }
    for (const [operation, path] of [
      ['hash', '/hash'],
      ['verify', verify],
    ] as const) {
      const { wall, cpu } = await series(path)
      rows.push({
        runtime: 'workerd, CPU',
        operation,
        runs,
        ...summarize(cpu.map((ms) => ms - baseline.cpu)),
        roundTripMedianMs: summarize(wall.map((ms) => ms - baseline.wall)).medianMs,
      })
    }
  } finally {
    await workerd.close()
  }
  const node: number[] = []
  const parameters = {
    message: PASSWORD,
    nonce: 'sixteen byte sal',
    parallelism: params.p,
    passes: params.t,
    memory: params.m,
    tagLength: 32,
  }
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await argon2Async('argon2id', parameters)
    node.push(performance.now() - started)
  }
  rows.push({
    runtime: `node ${process.version} OpenSSL (reference), wall`,
    operation: 'hash',
    runs,
    ...summarize(node),
  })
  return { params, owasp: OWASP_STATEMENT, rows }
}
