// Both gateways as programs: their command lines (the packages' bins, run by this Node) started
// with the launcher, ready once they print the URL they listen on.
import { fileURLToPath } from 'node:url'
import { OwnedProcess } from './launcher.ts'

export type GatewayKind = 'upstash' | 'planetscale'

// From source, as everything in this repository runs, whether or not the calling process has the
// condition (vitest's may not): it makes the bins' imports of @edge-status/gateway-kit source too.
const SOURCE_CONDITION = '--conditions=@edge-status/source'
const bin = (name: string) =>
  fileURLToPath(new URL(`../../packages/${name}/src/bin.ts`, import.meta.url))
const BINS: Record<GatewayKind, string> = {
  upstash: bin('upstash-gateway'),
  planetscale: bin('planetscale-gateway'),
}

export interface UpstashFlags {
  redisUrl: string
  tokens: Record<string, number>
  port: number
  latencyMs?: number
  commandTimeoutMs?: number
  /** a replica of redisUrl that answers reads, and the latency of its answers */
  replica?: { redisUrl: string; latencyMs: number }
}

export interface PlanetScaleFlags {
  mysqlUrl: string
  users: Record<string, { password: string; database: string }>
  port: number
  latencyMs?: number
  poolSize?: number
  /** in front of a read-only replica */
  readOnly?: boolean
}

const optional = (flag: string, value: number | undefined) =>
  value === undefined ? [] : [flag, String(value)]

export function upstashArgs(flags: UpstashFlags): string[] {
  return [
    '--redis',
    flags.redisUrl,
    '--port',
    String(flags.port),
    ...Object.entries(flags.tokens).flatMap(([token, db]) => ['--token', `${token}=${db}`]),
    ...optional('--latency-ms', flags.latencyMs),
    ...optional('--command-timeout-ms', flags.commandTimeoutMs),
    ...(flags.replica ? ['--replica', flags.replica.redisUrl] : []),
    ...optional('--replica-latency-ms', flags.replica?.latencyMs),
  ]
}

export function planetscaleArgs(flags: PlanetScaleFlags): string[] {
  return [
    '--mysql',
    flags.mysqlUrl,
    '--port',
    String(flags.port),
    ...Object.entries(flags.users).flatMap(([name, { password, database }]) => [
      '--user',
      `${name}:${password}@${database}`,
    ]),
    ...optional('--latency-ms', flags.latencyMs),
    ...optional('--pool-size', flags.poolSize),
    ...(flags.readOnly ? ['--read-only'] : []),
  ]
}

export interface GatewayProcessOptions {
  /** Passed to every output line (e.g. to show it with a prefix). */
  onLine?: (line: string) => void
  /** Node options before the script, e.g. --inspect=127.0.0.1:0 */
  nodeArgs?: string[]
}

/** A gateway's command line as a launch spec; call start() on the result, then url(). */
export function gatewayProcess(
  kind: GatewayKind,
  args: string[],
  options: GatewayProcessOptions = {}
): GatewayProcess {
  return new GatewayProcess({
    name: `${kind}-gateway`,
    command: process.execPath,
    args: [SOURCE_CONDITION, ...(options.nodeArgs ?? []), BINS[kind], ...args],
    output: 'capture',
    onLine: options.onLine,
    ready: { line: / listening on (http:\/\/\S+)/ },
    startupMs: 20_000,
    stopGraceMs: 15_000,
  })
}

export class GatewayProcess extends OwnedProcess {
  /** The base URL from the ready line. */
  get url(): string {
    const url = this.readyMatch?.[1]
    if (url === undefined) throw new Error(`${this.spec.name} has not started`)
    return url
  }

  get port(): number {
    return Number(new URL(this.url).port)
  }

  /** The process could not bind its port (it said so and exited). */
  portInUse(): boolean {
    return / port \d+ is in use/.test(this.output())
  }
}
