// Starts infra/delay-proxy.ts (a program of its own, so its timers never wait on the load
// generator's event loop) in front of a backend given by URL.
import { fileURLToPath } from 'node:url'
import { OwnedProcess } from '../../lib/launcher.ts'

const PROGRAM = fileURLToPath(new URL('./delay-proxy.ts', import.meta.url))

export interface DelayProxy {
  host: string
  port: number
  close(): Promise<void>
}

/** A proxy for `backendUrl` (redis://…, mysql://…) that delays each chunk `delayMs` each way. */
export async function startDelayProxy(
  backendUrl: string,
  defaultPort: number,
  delayMs: number
): Promise<DelayProxy> {
  const url = new URL(backendUrl)
  const target = `${url.hostname || '127.0.0.1'}:${url.port || defaultPort}`
  const proxy = await new OwnedProcess({
    name: `delay proxy for ${target}`,
    command: process.execPath,
    args: [PROGRAM, target, String(delayMs)],
    output: 'capture',
    ready: { line: /^delay proxy listening on 127\.0\.0\.1:(\d+)/ },
  }).start()
  return { host: '127.0.0.1', port: Number(proxy.readyMatch?.[1]), close: () => proxy.stop() }
}
