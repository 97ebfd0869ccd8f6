import { parseArgs } from 'node:util'
import { killOwned } from '../lib/launcher.ts'
import { ServicesError } from './backends.ts'
import { DEFAULT_REPLICAS, type ReplicaSettings } from './replicas.ts'

/**
 * Handles Ctrl-C, SIGTERM and SIGHUP: the first stops cleanly via onStop, a second one kills at once.
 * Also stops when the parent goes away: `kill <npm pid>` ends npm's `sh -c` but not us.
 */
export function onInterrupt(onStop: (reason: string) => void): void {
  let interrupted = false
  const interrupt = (reason: string) => {
    if (interrupted) {
      console.error('stopping now')
      killOwned('SIGKILL')
      process.exit(130)
    }
    interrupted = true
    onStop(reason)
  }
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(name, () => interrupt(name))
  const parent = process.ppid
  const watch = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(watch)
    interrupt('parent process exited')
  }, 1000)
  watch.unref()
}

/** What an expected failure prints: the message alone; anything else with its stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof ServicesError) return error.message
  if (error instanceof Error) return error.stack ?? error.message
  return String(error)
}

export interface LocalFlags {
  /** --latency-ms, else GATEWAY_LATENCY_MS; undefined: neither was given */
  latencyMs: number | undefined
  /** --replicas with its --near-ms, --far-ms and --replica-lag-ms */
  replicas?: ReplicaSettings
}

const MS_FLAGS = ['latency-ms', 'near-ms', 'far-ms', 'replica-lag-ms'] as const

/** The flags `npm run dev` and `npm run services` take (after `--`). */
export function parseLocalFlags(command: string, argv: string[]): LocalFlags {
  let values: Partial<Record<(typeof MS_FLAGS)[number], string>> & {
    replicas?: boolean
    help?: boolean
  }
  try {
    values = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(MS_FLAGS.map((name) => [name, { type: 'string' as const }])),
        replicas: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (error) {
    throw new ServicesError(`${(error as Error).message}\n${usage(command)}`)
  }
  if (values.help) {
    console.log(usage(command))
    process.exit(0)
  }
  const ms: Partial<Record<(typeof MS_FLAGS)[number], number>> = {}
  for (const name of MS_FLAGS) {
    const raw = values[name]
    if (raw === undefined) continue
    if (!/^\d+$/.test(raw)) throw new ServicesError(`--${name} must be a whole number, got ${raw}`)
    ms[name] = Number(raw)
  }
  if (!values.replicas) {
    const stray = MS_FLAGS.slice(1).find((name) => ms[name] !== undefined)
    if (stray) throw new ServicesError(`--${stray} goes with --replicas\n${usage(command)}`)
    return { latencyMs: ms['latency-ms'] }
  }
  if (ms['latency-ms'] !== undefined) {
    throw new ServicesError('--latency-ms does not go with --replicas: use --near-ms and --far-ms')
  }
  return {
    latencyMs: undefined,
    replicas: {
      nearMs: ms['near-ms'] ?? DEFAULT_REPLICAS.nearMs,
      farMs: ms['far-ms'] ?? DEFAULT_REPLICAS.farMs,
      lagMs: ms['replica-lag-ms'] ?? DEFAULT_REPLICAS.lagMs,
    },
  }
}

function usage(command: string): string {
  const d = DEFAULT_REPLICAS
  return [
    `Usage: npm run ${command} -- [--latency-ms MS | --replicas [--near-ms N] [--far-ms F] [--replica-lag-ms L]]`,
    '  --latency-ms MS       both gateways delay every answer by MS, like a database in a far region',
    '                        (default: env GATEWAY_LATENCY_MS, else 0)',
    '  --replicas            a global deployment in miniature: private primary/replica pairs of Redis',
    '                        and MariaDB under .local/replicas, replicating through a lagging link;',
    '                        Upstash reads answered by the replica, a read-only PlanetScale region',
    '                        on PLANETSCALE_REPLICA_PORT (default 8077)',
    `  --near-ms N           answers from a replica wait N ms (default ${d.nearMs})`,
    `  --far-ms F            answers that needed a primary wait F ms (default ${d.farMs})`,
    `  --replica-lag-ms L    the replication link delays everything by L ms (default ${d.lagMs})`,
  ].join('\n')
}

/** A port number from an environment variable, else the fallback. */
export function portFromEnv(variable: string, fallback: number): number {
  const port = numberFromEnv(variable, fallback, 'a port number')
  if (port > 65535) throw new ServicesError(`${variable} must be a port number, got ${port}`)
  return port
}

/** A whole number from an environment variable, else the fallback. */
export function numberFromEnv<T extends number | undefined>(
  variable: string,
  fallback: T,
  what: string
): number | T {
  const raw = process.env[variable]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new ServicesError(`${variable} must be ${what}, got ${JSON.stringify(raw)}`)
  }
  return n
}
