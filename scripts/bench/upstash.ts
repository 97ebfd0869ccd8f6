// Upstash gateway benchmark: the official @upstash/redis client against the gateway and against a
// bare node:http server (the ceiling for any HTTP gateway on this machine), and our RESP client
// straight to Redis (the floor). Servers run in a worker thread so the load generator does not
// share their event loop.
//   node scripts/bench/upstash.ts [durationMs]
import { once } from 'node:events'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { Redis } from '@upstash/redis'
import { RedisConnection } from '../upstash/connection.ts'
import { startUpstashGateway } from '../upstash/gateway.ts'

export interface BenchRow {
  name: string
  concurrency: number
  rps: number
  p50ms: number
  p99ms: number
}

export interface BenchUpstashOptions {
  redisUrl?: string
  /** Redis logical database used for the bench key (default 9) */
  db?: number
  durationMs?: number
  concurrency?: number[]
}

const TOKEN = 'bench-token'
const KEY = 'bench:upstash:key'

export async function benchUpstash(opts: BenchUpstashOptions = {}): Promise<BenchRow[]> {
  const redisUrl = opts.redisUrl ?? 'redis://127.0.0.1:6379'
  const db = opts.db ?? 9
  const durationMs = opts.durationMs ?? 3000
  const levels = opts.concurrency ?? [1, 16]
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { redisUrl, db } })
  const [ports] = (await once(worker, 'message')) as [{ gateway: number; bare: number }]
  const url = new URL(redisUrl)
  const target = { host: url.hostname, port: Number(url.port || 6379), db, timeoutMs: 10_000 }
  const rows: BenchRow[] = []
  try {
    const setup = new RedisConnection(target, () => {})
    await setup.send([['SET', KEY, 'hello from the bench']])
    await setup.close()
    for (const concurrency of levels) {
      const direct = Array.from(
        { length: concurrency },
        () => new RedisConnection(target, () => {})
      )
      rows.push(
        await measure('direct RESP', concurrency, durationMs, (i) =>
          direct[i]?.send([['GET', KEY]])
        )
      )
      await Promise.all(direct.map((conn) => conn.close()))
      for (const [name, port] of [
        ['bare node:http', ports.bare],
        ['gateway', ports.gateway],
      ] as const) {
        const clients = Array.from(
          { length: concurrency },
          () => new Redis({ url: `http://127.0.0.1:${port}`, token: TOKEN })
        )
        rows.push(await measure(name, concurrency, durationMs, (i) => clients[i]?.get(KEY)))
      }
    }
  } finally {
    await worker.terminate()
  }
  return rows
}

async function measure(
  name: string,
  concurrency: number,
  durationMs: number,
  call: (caller: number) => Promise<unknown> | undefined
): Promise<BenchRow> {
  const warmupEnd = performance.now() + Math.min(500, durationMs / 4)
  const latencies: number[] = []
  let end = 0
  const caller = async (i: number) => {
    while (true) {
      const started = performance.now()
      if (end > 0 && started >= end) return
      await call(i)
      const done = performance.now()
      if (done >= warmupEnd && end === 0) end = done + durationMs
      if (end > 0 && started >= warmupEnd) latencies.push(done - started)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, i) => caller(i)))
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0)
  return {
    name,
    concurrency,
    rps: Math.round(latencies.length / (durationMs / 1000)),
    p50ms: at(0.5),
    p99ms: at(0.99),
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}

/** Worker side: the gateway and a bare server that answers what the gateway would. */
async function serve(): Promise<void> {
  const { redisUrl, db } = workerData as { redisUrl: string; db: number }
  const gateway = await startUpstashGateway({ redisUrl, tokens: { [TOKEN]: db } })
  const body = `[{"result":"${Buffer.from('hello from the bench').toString('base64')}"}]`
  const bare = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': body.length,
        'upstash-sync-token': '1',
      })
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve))
  const address = bare.address() as { port: number }
  parentPort?.postMessage({ gateway: gateway.port, bare: address.port })
}

if (!isMainThread) {
  await serve()
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await benchUpstash({ durationMs: Number(process.argv[2] ?? 3000) })
  console.table(rows)
  const get = (name: string, c: number) => rows.find((r) => r.name === name && r.concurrency === c)
  const gateway16 = get('gateway', 16)
  const bare16 = get('bare node:http', 16)
  const gateway1 = get('gateway', 1)
  const direct1 = get('direct RESP', 1)
  if (gateway16 && bare16 && gateway1 && direct1) {
    console.log(
      `gateway/bare req/s at 16 callers: ${((gateway16.rps / bare16.rps) * 100).toFixed(0)}% (target >= 60%)`
    )
    console.log(
      `p50 overhead over direct RESP at 1 caller: ${(gateway1.p50ms - direct1.p50ms).toFixed(3)} ms (target <= 0.5)`
    )
  }
}
