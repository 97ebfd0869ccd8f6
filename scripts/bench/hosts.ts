// Parent side of server-host.ts: start a server in a child process and talk to it over IPC.
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { RunningGateway } from '@edge-status/gateway-kit'

type GatewayStats = ReturnType<RunningGateway['stats']>

import type { HostMemory, HostReply, HostRequest, HostSpec } from './server-host.ts'

export type { HostMemory, HostSpec }

const HOST_SCRIPT = fileURLToPath(new URL('./server-host.ts', import.meta.url))

type Op = HostRequest['op']
type Payload<O extends Op> = Omit<Extract<HostRequest, { op: O }>, 'id' | 'op'>

export class Host {
  readonly url: string
  readonly port: number
  readonly pid: number
  /** worker role: the workerd process */
  readonly workerdPid: number | undefined
  private readonly child: ChildProcess
  private readonly call: <O extends Op>(op: O, payload: Payload<O>) => Promise<unknown>

  private constructor(
    child: ChildProcess,
    call: Host['call'],
    address: { url: string; port: number; workerdPid?: number }
  ) {
    this.child = child
    this.call = call
    this.url = address.url
    this.port = address.port
    this.pid = child.pid ?? 0
    this.workerdPid = address.workerdPid
  }

  static async start(spec: HostSpec): Promise<Host> {
    const child = fork(HOST_SCRIPT, [], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
    let nextId = 1
    child.on('message', (reply: HostReply) => {
      const waiter = pending.get(reply.id)
      if (!waiter) return
      pending.delete(reply.id)
      if ('error' in reply) waiter.reject(new Error(`${spec.role} host: ${reply.error}`))
      else waiter.resolve(reply.result)
    })
    child.on('exit', (code, signal) => {
      for (const waiter of pending.values()) {
        waiter.reject(new Error(`${spec.role} host exited (${code ?? signal})`))
      }
      pending.clear()
    })
    const call = <O extends Op>(op: O, payload: Payload<O>) =>
      new Promise<unknown>((resolve, reject) => {
        const id = nextId++
        pending.set(id, { resolve, reject })
        child.send({ id, op, ...payload } as HostRequest)
      })
    try {
      const address = (await call('start', { spec })) as {
        url: string
        port: number
        workerdPid?: number
      }
      return new Host(child, call, address)
    } catch (error) {
      child.kill()
      throw error
    }
  }

  async stats(): Promise<GatewayStats> {
    return (await this.call('stats', {})) as GatewayStats
  }

  /** Requests answered for one credential (Upstash token or PlanetScale user). */
  async requests(credential: string): Promise<number> {
    return (await this.stats()).requests[credential] ?? 0
  }

  /** Memory of the child; gc: run a full collection first, so heapUsed is what is retained. */
  async memory(gc = true): Promise<HostMemory> {
    return (await this.call('memory', { gc })) as HostMemory
  }

  async setBody(body: string): Promise<void> {
    await this.call('setBody', { body })
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000)
    try {
      await this.call('close', {}).catch(() => {})
      await exited
    } finally {
      clearTimeout(timer)
    }
  }
}
