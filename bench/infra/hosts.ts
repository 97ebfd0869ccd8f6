// The Node servers the bench loads, each a process of its own started with the launcher, so the
// load generator (this process) never shares an event loop with them and their memory is their
// own: a gateway (its command line), and servers.ts (the bare HTTP floor, a TCP delay proxy).
import { fileURLToPath } from 'node:url'
import { type GatewayKind, gatewayProcess } from '../../scripts/lib/gateways.ts'
import { OwnedProcess } from '../../scripts/lib/launcher.ts'
import { type InspectorSession, openInspector } from './inspector.ts'

/**
 * `recent`: [start, end] wall-clock ms of the last requests, in the order they ended; `targets`,
 * from a gateway with a replica: which copy answered each ("primary" or "replica").
 */
export type GatewayStats = {
  requests: number
  recent: [number, number][]
  targets?: (string | null)[]
}

export type Gateway = Awaited<ReturnType<typeof startGateway>>

/** `authorization`: the bench's credential, whose record the gateway keeps (GET /__stats). */
export async function startGateway(
  kind: GatewayKind,
  args: string[],
  authorization: string,
  inspect: boolean
) {
  const nodeArgs = inspect ? ['--inspect=127.0.0.1:0'] : []
  const gateway = await gatewayProcess(kind, args, { nodeArgs }).start()
  let inspector: InspectorSession | undefined
  if (inspect) {
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(gateway.output(50))?.[1]
    inspector = url ? await openInspector(url).catch(() => undefined) : undefined
    if (!inspector) {
      await gateway.stop()
      throw new Error(`${kind} gateway: its inspector did not answer`)
    }
  }
  const stats = async () => {
    const res = await fetch(`${gateway.url}/__stats`, { headers: { authorization } })
    return (await res.json()) as GatewayStats
  }
  return {
    url: gateway.url,
    pid: gateway.pid as number,
    stats,
    /** process.memoryUsage() after a full collection, so heapUsed is what the gateway retains */
    async memory() {
      await inspector?.call('HeapProfiler.collectGarbage')
      const answer = (await inspector?.call('Runtime.evaluate', {
        expression: 'process.memoryUsage()',
        returnByValue: true,
      })) as { result?: { value?: NodeJS.MemoryUsage } } | undefined
      if (!answer?.result?.value) throw new Error(`${kind} gateway did not report its memory`)
      return answer.result.value
    },
    close: async () => {
      inspector?.close()
      await gateway.stop()
    },
  }
}

const SERVERS = fileURLToPath(new URL('./servers.ts', import.meta.url))

/** servers.ts with these arguments (`bare`, or `delay HOST PORT MS`). */
export async function startServer(args: string[]) {
  const server = await new OwnedProcess({
    name: `servers.ts ${args.join(' ')}`,
    command: process.execPath,
    args: [SERVERS, ...args],
    output: 'capture',
    ready: { line: /^listening on 127\.0\.0\.1:(\d+)/ },
  }).start()
  const port = Number(server.readyMatch?.[1])
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: server.pid as number,
    stop: () => server.stop(),
  }
}
