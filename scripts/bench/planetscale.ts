// PlanetScale gateway throughput and latency with the official driver, against a bare node:http
// server that answers the same bytes and against mysql2 talking to MySQL directly.
// The servers run in a worker thread, so the load generator does not share their event loop.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { Client } from '@planetscale/database'
import { createPool } from 'mysql2/promise'
import { startPlanetScaleGateway } from '../planetscale/gateway.ts'

export interface BenchOptions {
  mysqlUrl?: string
  durationMs?: number
  concurrencies?: number[]
  query?: string
}

export interface BenchRow {
  name: string
  concurrency: number
  rps: number
  p50ms: number
  p99ms: number
}

type Role = 'gateway' | 'bare-http'
interface ServerData {
  role: Role
  mysqlUrl: string
  query: string
}

const USER = 'bench'
const PASSWORD = 'bench-secret'
const DATABASE = 'gw_ps_bench'

async function measure(
  concurrency: number,
  durationMs: number,
  call: () => Promise<unknown>
): Promise<Omit<BenchRow, 'name'>> {
  for (let i = 0; i < 50; i++) await call()
  const latencies: number[] = []
  const started = performance.now()
  const deadline = started + durationMs
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now()
      await call()
      latencies.push(performance.now() - t0)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const elapsed = performance.now() - started
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  const round = (n: number) => Math.round(n * 1000) / 1000
  return {
    concurrency,
    rps: Math.round((latencies.length / elapsed) * 1000),
    p50ms: round(at(0.5)),
    p99ms: round(at(0.99)),
  }
}

/** Starts a server in a worker thread; resolves with its port and a stop function. */
function serve(data: ServerData): Promise<{ port: number; stop: () => Promise<void> }> {
  const worker = new Worker(new URL(import.meta.url), { workerData: data })
  return new Promise((resolve, reject) => {
    worker.once('error', reject)
    worker.once('message', (port: number) =>
      resolve({
        port,
        stop: async () => {
          worker.postMessage('stop')
          await new Promise((done) => worker.once('exit', done))
        },
      })
    )
  })
}

export async function benchPlanetScale(opts: BenchOptions = {}): Promise<BenchRow[]> {
  const mysqlUrl = opts.mysqlUrl ?? process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'
  const durationMs = opts.durationMs ?? 3000
  const concurrencies = opts.concurrencies ?? [1, 16]
  const query = opts.query ?? 'select 1 as one'
  const rows: BenchRow[] = []

  for (const role of ['bare-http', 'gateway'] as const) {
    const server = await serve({ role, mysqlUrl, query })
    try {
      const client = new Client({ url: `http://${USER}:${PASSWORD}@127.0.0.1:${server.port}` })
      for (const c of concurrencies) {
        rows.push({ name: role, ...(await measure(c, durationMs, () => client.execute(query))) })
      }
    } finally {
      await server.stop()
    }
  }

  for (const c of concurrencies) {
    const pool = createPool({ uri: mysqlUrl, connectionLimit: c })
    try {
      rows.push({
        name: 'mysql2-direct',
        ...(await measure(c, durationMs, () => pool.query(query))),
      })
    } finally {
      await pool.end()
    }
  }
  return rows
}

async function runServer(data: ServerData): Promise<void> {
  let stop: () => Promise<void>
  let port: number
  if (data.role === 'gateway') {
    const gw = await startPlanetScaleGateway({
      mysqlUrl: data.mysqlUrl,
      users: { [USER]: { password: PASSWORD, database: DATABASE } },
      poolSize: 16,
    })
    port = gw.port
    stop = () => gw.close()
  } else {
    // the bytes the gateway sends for the query, so both sides parse the same response
    const body =
      '{"session":{"signature":"AAAA","vitessSession":{"SessionUUID":"x"}},"result":{"fields":' +
      '[{"name":"one","type":"INT64","columnLength":1,"charset":63,"flags":32897}],' +
      '"rows":[{"lengths":["1"],"values":"MQ=="}]},"timing":0.0001}'
    const server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
        res.end(body)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
    stop = () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
  parentPort?.on('message', async () => {
    await stop()
    process.exit(0)
  })
  parentPort?.postMessage(port)
}

if (!isMainThread && (workerData as ServerData | undefined)?.role) {
  await runServer(workerData as ServerData)
} else if (isMainThread && process.argv[1] && import.meta.filename === process.argv[1]) {
  console.table(await benchPlanetScale())
}
