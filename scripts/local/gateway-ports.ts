// A gateway of `npm run services` on its fixed port: reused when ours already answers there,
// refused when a stranger holds the port, else its command line started with the launcher.
import { type GatewayKind, type GatewayProcess, gatewayProcess } from '../lib/gateways.ts'
import { LaunchError } from '../lib/launcher.ts'
import { ServicesError } from './backends.ts'
import type { Probe } from './probes.ts'

export interface GatewaySpec {
  kind: GatewayKind
  name: 'Upstash' | 'PlanetScale' | 'PlanetScale read-only'
  variable: 'UPSTASH_PORT' | 'PLANETSCALE_PORT' | 'PLANETSCALE_REPLICA_PORT'
  port: number
  probe(baseUrl: string): Promise<Probe>
}

export const baseUrl = (port: number) => `http://127.0.0.1:${port}`

/** The base URL of our gateway if it already answers on the fixed port; throws if a stranger does. */
export async function findRunning(spec: GatewaySpec, log: (line: string) => void) {
  if (spec.port === 0) return undefined
  const url = baseUrl(spec.port)
  const probe = await spec.probe(url)
  if (probe.status === 'down') return undefined
  if (probe.status === 'error') {
    throw new ServicesError(
      `port ${spec.port} is in use, but not by our ${spec.name} gateway (${probe.reason}); ` +
        `stop that program or set ${spec.variable} to another port`
    )
  }
  log(`${spec.name} gateway already running at ${url}: reusing it`)
  return url
}

/**
 * The gateway's command line in a process of its own, registered for cleanup. undefined: the port
 * was taken meanwhile by another run of this command, whose gateway we reuse.
 */
export async function startGateway(
  spec: GatewaySpec,
  cleanups: (() => Promise<void>)[],
  log: (line: string) => void,
  signal: AbortSignal | undefined,
  args: (port: number) => string[]
): Promise<GatewayProcess | undefined> {
  const gateway = gatewayProcess(spec.kind, args(spec.port), { onLine: log })
  try {
    await gateway.start(signal)
  } catch (error) {
    if (!(error instanceof LaunchError)) throw error
    if (!gateway.portInUse()) throw new ServicesError(error.message)
    if (await findRunning(spec, log)) return undefined
    throw new ServicesError(
      `port ${spec.port} is in use; stop that program or set ${spec.variable}`
    )
  }
  cleanups.push(() => gateway.stop())
  return gateway
}
