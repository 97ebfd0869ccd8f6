// The servers the bench loads, each a process of its own started with the launcher, so the load
// generator (this process) never shares an event loop with them and their memory is their own:
// a gateway (its command line) and a bare node:http server. (The Worker's host: workerd.ts.)
import { fileURLToPath } from 'node:url'
import { type GatewayKind, type GatewayProcess, gatewayProcess } from '../../lib/gateways.ts'
import { OwnedProcess } from '../../lib/launcher.ts'
import { type InspectorSession, type NodeMemory, nodeMemory, openInspector } from './inspector.ts'

export type { NodeMemory }

export interface GatewayStats {
  requests: number
  /** [start, end] wall-clock ms of the last requests, in the order they ended */
  recent: [number, number][]
}

/** A gateway's command line; with `inspect`, its memory can be read (soak). */
export class BenchGateway {
  private readonly process: GatewayProcess
  private readonly authorization: string
  private inspector: InspectorSession | undefined

  private constructor(process: GatewayProcess, authorization: string) {
    this.process = process
    this.authorization = authorization
  }

  static async start(
    kind: GatewayKind,
    args: string[],
    authorization: string,
    inspect = false
  ): Promise<BenchGateway> {
    const nodeArgs = inspect ? ['--inspect=127.0.0.1:0'] : []
    const gateway = new BenchGateway(
      await gatewayProcess(kind, args, { nodeArgs }).start(),
      authorization
    )
    if (inspect) {
      const url = /Debugger listening on (ws:\/\/\S+)/.exec(gateway.process.output(50))?.[1]
      if (!url) throw new Error(`${kind} gateway: no inspector URL in its output`)
      gateway.inspector = await openInspector(url)
    }
    return gateway
  }

  get url(): string {
    return this.process.url
  }

  get port(): number {
    return this.process.port
  }

  get pid(): number {
    return this.process.pid as number
  }

  /** The gateway's own record of the bench's credential: how many requests, the last ones' times. */
  async stats(): Promise<GatewayStats> {
    const res = await fetch(`${this.url}/__stats`, {
      headers: { authorization: this.authorization },
    })
    return (await res.json()) as GatewayStats
  }

  /** Requests answered for the bench's credential, from the gateway's own counter. */
  async requests(): Promise<number> {
    return (await this.stats()).requests
  }

  /** gc: after a full collection, so heapUsed is what the gateway retains. */
  memory(gc = true): Promise<NodeMemory> {
    if (!this.inspector) throw new Error('started without inspect')
    return nodeMemory(this.inspector, gc)
  }

  async close(): Promise<void> {
    this.inspector?.close()
    await this.process.stop()
  }
}

const BARE_SERVER = fileURLToPath(new URL('./bare-server.ts', import.meta.url))

/** The HTTP floor: a bare node:http server answering one fixed body, set with PUT /__body. */
export class BareHost {
  private readonly process: OwnedProcess

  private constructor(process: OwnedProcess) {
    this.process = process
  }

  static async start(): Promise<BareHost> {
    const process_ = new OwnedProcess({
      name: 'bare HTTP server',
      command: process.execPath,
      args: [BARE_SERVER],
      output: 'capture',
      ready: { line: /^bare listening on (http:\/\/\S+)/ },
    })
    return new BareHost(await process_.start())
  }

  get url(): string {
    return this.process.readyMatch?.[1] as string
  }

  get pid(): number {
    return this.process.pid as number
  }

  async setBody(body: string): Promise<void> {
    const res = await fetch(`${this.url}/__body`, { method: 'PUT', body })
    if (res.status !== 204) throw new Error(`bare server: PUT /__body answered ${res.status}`)
  }

  close(): Promise<void> {
    return this.process.stop()
  }
}
