// An HTTP proxy in front of a gateway that fails on request: the tests set how the next requests
// fail and read back what reached the gateway.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { FaultSetting, ProxyStats } from './protocol.ts'

const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'upgrade',
])

function forwardable(headers: IncomingMessage['headers'] | Headers): [string, string][] {
  const out: [string, string][] = []
  const add = (value: string | string[] | undefined, name: string) => {
    if (value === undefined || HOP_BY_HOP.has(name.toLowerCase())) return
    out.push([name, Array.isArray(value) ? value.join(', ') : value])
  }
  if (headers instanceof Headers) headers.forEach(add)
  else for (const [name, value] of Object.entries(headers)) add(value, name)
  return out
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export class FaultyProxy {
  readonly stats: ProxyStats = { received: 0, forwarded: 0, bodies: [], arrivals: [] }
  private setting: FaultSetting = { mode: 'pass' }
  private readonly target: string
  private readonly server: Server
  private readonly sockets = new Set<Socket>()

  private constructor(target: string) {
    this.target = target.replace(/\/$/, '')
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy())
    })
    this.server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }

  static async start(target: string): Promise<FaultyProxy> {
    const proxy = new FaultyProxy(target)
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  set(setting: FaultSetting): void {
    this.setting = { ...setting }
  }

  private next(body: string): FaultSetting {
    const current = this.setting
    if (current.match !== undefined && !body.includes(current.match)) return { mode: 'pass' }
    if (current.count === undefined) return current
    if (current.count <= 1) this.setting = { mode: 'pass' }
    else this.setting = { ...current, count: current.count - 1 }
    return current
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.received++
    const body = await readAll(req)
    this.stats.bodies.push(body.toString('utf8'))
    this.stats.arrivals.push(Date.now())
    const fault = this.next(body.toString('utf8'))
    if (fault.mode === 'reset') {
      req.socket.destroy()
      return
    }
    if (fault.mode === 'stall') return
    if (fault.mode === 'slow') {
      await new Promise((resolve) => setTimeout(resolve, fault.ms ?? 1000))
      if (req.socket.destroyed) return
    }
    this.stats.forwarded++
    const upstream = await fetch(this.target + (req.url ?? '/'), {
      method: req.method,
      headers: forwardable(req.headers),
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(body),
    })
    const answer = Buffer.from(await upstream.arrayBuffer())
    const headers = forwardable(upstream.headers)
    headers.push(['content-length', String(answer.length)])
    res.writeHead(upstream.status, headers)
    if (fault.mode === 'truncate') {
      res.write(answer.subarray(0, Math.floor(answer.length / 2)))
      setTimeout(() => res.socket?.destroy(), 20)
      return
    }
    res.end(answer)
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
