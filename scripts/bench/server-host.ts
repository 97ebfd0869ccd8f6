// Child process that runs one server for the bench: an Upstash or PlanetScale gateway, a bare
// node:http server answering a fixed body (the HTTP floor), or the built Worker in workerd
// (workerd.ts). A process of its own keeps the server's event loop away from the load generator
// and makes its memory measurable on its own.
// Started by hosts.ts with an IPC channel and --expose-gc; not meant to be run by hand.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { startPlanetScaleGateway } from '@edge-status/planetscale-gateway'
import { startUpstashGateway } from '@edge-status/upstash-gateway'
import { connectIsolateHeap, type IsolateHeap } from './inspector.ts'
import { rssOf } from './procfs.ts'
import { startWorkerd, wranglerSettings } from './workerd.ts'

export type HostSpec =
  | { role: 'upstash'; redisUrl: string; tokens: Record<string, number> }
  | {
      role: 'planetscale'
      mysqlUrl: string
      users: Record<string, { password: string; database: string }>
      poolSize?: number
    }
  | { role: 'bare' }
  | {
      role: 'worker'
      /** the built module (wrangler deploy --dry-run --outdir) */
      mainModule: string
      /** wrangler.toml, for the compatibility date, flags and [vars] */
      wranglerConfig: string
      /** on top of [vars]: secrets and overrides */
      bindings: Record<string, string>
      /** open workerd's inspector to read the isolate's JS heap (soak only) */
      inspect?: boolean
    }

export interface HostMemory {
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
  /** worker role: resident memory of the workerd process */
  workerdRss?: number
  /** worker role with inspect: the isolate's JS heap in use (no GC) */
  isolateHeapUsed?: number
}

export type HostRequest =
  | { id: number; op: 'start'; spec: HostSpec }
  | { id: number; op: 'stats' }
  | { id: number; op: 'memory'; gc: boolean }
  | { id: number; op: 'setBody'; body: string }
  | { id: number; op: 'close' }

export type HostReply = { id: number; result: unknown } | { id: number; error: string }

interface Address {
  url: string
  port: number
  /** worker role: the workerd process */
  workerdPid?: number
}

let gateway: RunningGateway | undefined
let bare: Server | undefined
let bareBody = Buffer.from('{}')
let disposeWorker: (() => Promise<void>) | undefined
let workerdPid: number | undefined
let isolateHeap: IsolateHeap | undefined

function startBare(): Promise<Address> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': bareBody.length })
      res.end(bareBody)
    })
  })
  bare = server
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({ url: `http://127.0.0.1:${port}`, port })
    })
  )
}

async function startWorker(spec: Extract<HostSpec, { role: 'worker' }>): Promise<Address> {
  const { vars, ...runtime } = await wranglerSettings(spec.wranglerConfig)
  const workerd = await startWorkerd({
    mainModule: spec.mainModule,
    ...runtime,
    bindings: { ...vars, ...spec.bindings },
    inspect: spec.inspect ?? false,
  })
  workerdPid = workerd.pid
  if (workerd.inspector) {
    isolateHeap = await connectIsolateHeap(workerd.inspector.url, workerd.inspector.target)
  }
  disposeWorker = () => {
    isolateHeap?.close()
    return workerd.stop()
  }
  return { url: workerd.url, port: workerd.port, workerdPid }
}

async function start(spec: HostSpec): Promise<Address> {
  if (spec.role === 'bare') return startBare()
  if (spec.role === 'worker') return startWorker(spec)
  gateway =
    spec.role === 'upstash'
      ? await startUpstashGateway({ redisUrl: spec.redisUrl, tokens: spec.tokens })
      : await startPlanetScaleGateway({
          mysqlUrl: spec.mysqlUrl,
          users: spec.users,
          ...(spec.poolSize ? { poolSize: spec.poolSize } : {}),
        })
  return { url: gateway.url, port: gateway.port }
}

async function memory(gc: boolean): Promise<HostMemory> {
  if (gc) globalThis.gc?.()
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage()
  const workerdRss = workerdPid === undefined ? undefined : rssOf(workerdPid)
  const isolateHeapUsed = await isolateHeap?.used()
  return {
    rss,
    heapUsed,
    heapTotal,
    external,
    ...(workerdRss ? { workerdRss } : {}),
    ...(isolateHeapUsed ? { isolateHeapUsed } : {}),
  }
}

let closed: Promise<void> | undefined
function close(): Promise<void> {
  closed ??= (async () => {
    await gateway?.close()
    await disposeWorker?.()
    if (bare) {
      const server = bare
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })()
  return closed
}

async function handle(request: HostRequest): Promise<unknown> {
  switch (request.op) {
    case 'start':
      return start(request.spec)
    case 'stats':
      return gateway?.stats() ?? { requests: {} }
    case 'memory':
      return memory(request.gc)
    case 'setBody':
      bareBody = Buffer.from(request.body)
      return null
    case 'close':
      await close()
      return null
  }
}

if (process.send) {
  process.on('message', (request: HostRequest) => {
    handle(request).then(
      (result) => {
        process.send?.({ id: request.id, result } satisfies HostReply)
        if (request.op === 'close') process.disconnect()
      },
      (error: unknown) =>
        process.send?.({
          id: request.id,
          error: error instanceof Error ? error.message : String(error),
        } satisfies HostReply)
    )
  })
  // The parent went away without closing us: do not linger.
  process.on('disconnect', () => {
    close().finally(() => process.exit(0))
  })
}
