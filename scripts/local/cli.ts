import { parseArgs } from 'node:util'
import { killOwned } from '../lib/launcher.ts'
import { ServicesError } from './backends.ts'

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
}

/** The flags `npm run dev` and `npm run services` take (after `--`). */
export function parseLocalFlags(command: string, argv: string[]): LocalFlags {
  let values: { 'latency-ms'?: string; help?: boolean }
  try {
    values = parseArgs({
      args: argv,
      options: { 'latency-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }).values
  } catch (error) {
    throw new ServicesError(`${(error as Error).message}\n${usage(command)}`)
  }
  if (values.help) {
    console.log(usage(command))
    process.exit(0)
  }
  const raw = values['latency-ms']
  if (raw === undefined) return { latencyMs: undefined }
  if (!/^\d+$/.test(raw)) throw new ServicesError(`--latency-ms must be a whole number, got ${raw}`)
  return { latencyMs: Number(raw) }
}

function usage(command: string): string {
  return [
    `Usage: npm run ${command} -- [--latency-ms MS]`,
    '  --latency-ms MS   both gateways delay every answer by MS, like a database in a far region',
    '                    (default: env GATEWAY_LATENCY_MS, else 0)',
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
