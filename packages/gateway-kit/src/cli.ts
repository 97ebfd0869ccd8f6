// The command line both gateways share: flags described once (with an environment variable as
// fallback for each), --help generated from them, one ready line, a clean stop on SIGTERM/SIGINT.
import { parseArgs } from 'node:util'
import type { RunningGateway } from './server.ts'

export interface Flag {
  name: string
  /** Read when the flag is not given. */
  env: string
  /** Read when neither the flag nor `env` is set (e.g. a variable other tools share). */
  envFallback?: string
  kind: 'string' | 'number' | 'list' | 'boolean'
  /** e.g. URL, MS, TOKEN[=DB] */
  placeholder?: string
  description: string
  default?: string
  required?: boolean
}

export type FlagValues = Record<string, string | string[] | number | boolean | undefined>

/** A problem with the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {}

export interface GatewayCli {
  /** The executable's name, e.g. upstash-gateway */
  name: string
  /** One paragraph under the usage line. */
  summary: string
  flags: Flag[]
  /** Extra lines at the end of --help (examples). */
  examples: string[]
  start(values: FlagValues): Promise<RunningGateway>
  /** What the ready line says the gateway is in front of, without secrets. */
  describe(values: FlagValues): string
}

/** A flag whose variable is the prefix and its name: pool-size gives PREFIX_POOL_SIZE. */
export function flag(prefix: string, spec: Omit<Flag, 'env'>): Flag {
  return { ...spec, env: `${prefix}_${spec.name.toUpperCase().replaceAll('-', '_')}` }
}

export interface CoreFlags {
  /** The server in front of which the gateway runs: its URL flag. */
  backend: {
    name: string
    variable: string
    fallback: string
    description: string
    default: string
  }
  /** The credentials clients may use: a repeatable flag. */
  credential: { name: string; variable: string; placeholder: string; description: string }
  port: number
}

/** The backend, the credentials, --host, --port and --latency-ms: what every gateway takes. */
export function coreFlags(prefix: string, core: CoreFlags): Flag[] {
  const { backend, credential } = core
  return [
    {
      name: backend.name,
      env: `${prefix}_${backend.variable}`,
      envFallback: backend.fallback,
      kind: 'string',
      placeholder: 'URL',
      description: backend.description,
      default: backend.default,
    },
    {
      name: credential.name,
      env: `${prefix}_${credential.variable}`,
      kind: 'list',
      placeholder: credential.placeholder,
      description: credential.description,
      required: true,
    },
    flag(prefix, {
      name: 'host',
      kind: 'string',
      placeholder: 'ADDRESS',
      description: 'address to listen on',
      default: '127.0.0.1',
    }),
    ...numberFlags(prefix, [
      ['port', 'PORT', 'port to listen on (0: any free port)', core.port],
      ['latency-ms', 'MS', 'every answer waits this long before it is sent (a far region)', 0],
    ]),
  ]
}

/** Whole-number flags from [name, placeholder, description, default]. */
export function numberFlags(prefix: string, specs: [string, string, string, number][]): Flag[] {
  return specs.map(([name, placeholder, description, fallback]) =>
    flag(prefix, { name, kind: 'number', placeholder, description, default: String(fallback) })
  )
}

/** Flag values under their start options' names: pool-size becomes poolSize. */
export function asOptions(values: FlagValues): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
      value,
    ])
  )
}

/** The ready line's note: the backend (no password), how many credentials, the added latency. */
export function servingNote(backend: string, count: number, noun: string, values: FlagValues) {
  const latency = values['latency-ms'] ? `, +${values['latency-ms']} ms per answer` : ''
  return `${redactUrl(backend)}, ${count} ${noun}${count === 1 ? '' : 's'}${latency}`
}

export function helpText(cli: GatewayCli): string {
  const rows = cli.flags.map((flag) => {
    const left = `  --${flag.name}${flag.placeholder ? ` ${flag.placeholder}` : ''}`
    const env = [flag.env, flag.envFallback].filter(Boolean).join(', then ')
    const extra = [
      flag.kind === 'list' ? 'repeatable; in the variable, comma-separated' : '',
      flag.default !== undefined ? `default ${flag.default}` : flag.required ? 'required' : '',
      `env ${env}`,
    ].filter(Boolean)
    return `${left.padEnd(34)} ${flag.description}\n${' '.repeat(35)}(${extra.join('; ')})`
  })
  return [
    `Usage: ${cli.name} [options]`,
    '',
    cli.summary,
    '',
    'Options:',
    ...rows,
    `${'  --help'.padEnd(34)} this text`,
    '',
    ...cli.examples,
  ].join('\n')
}

/** Flags first, then the environment, then defaults. Numbers must be integers >= 0. */
export function parseFlags(
  cli: GatewayCli,
  argv: string[],
  env: NodeJS.ProcessEnv
): FlagValues | 'help' {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    help: { type: 'boolean' },
  }
  for (const flag of cli.flags) {
    options[flag.name] = {
      type: flag.kind === 'boolean' ? 'boolean' : 'string',
      ...(flag.kind === 'list' ? { multiple: true } : {}),
    }
  }
  let parsed: ReturnType<typeof parseArgs>['values']
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (parsed.help) return 'help'
  const values: FlagValues = {}
  for (const flag of cli.flags) {
    const given = parsed[flag.name]
    const fromEnv = env[flag.env] || (flag.envFallback ? env[flag.envFallback] : undefined)
    if (flag.kind === 'boolean') {
      values[flag.name] =
        given === true || (given === undefined && /^(1|true|yes)$/i.test(fromEnv ?? ''))
      continue
    }
    let raw: string | string[] | undefined = given as string | string[] | undefined
    if (raw === undefined && fromEnv !== undefined) {
      raw = flag.kind === 'list' ? fromEnv.split(',').map((s) => s.trim()) : fromEnv
    }
    if (raw === undefined && flag.default !== undefined) raw = flag.default
    if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) {
      if (flag.required) throw new UsageError(`--${flag.name} is required (or set ${flag.env})`)
      continue
    }
    if (flag.kind === 'number') {
      const n = Number(raw)
      if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(n)) {
        throw new UsageError(
          `--${flag.name} must be a whole number >= 0, got ${JSON.stringify(raw)}`
        )
      }
      values[flag.name] = n
    } else values[flag.name] = raw
  }
  return values
}

/**
 * Runs a gateway as a program: parse, start, print one ready line on stdout, stop cleanly on
 * SIGTERM or SIGINT (a second signal, or a close that hangs, exits at once). Exit codes: 0 after
 * a clean stop, 1 when the gateway cannot start or reach its backend, 2 on a bad command line.
 */
export async function runGatewayCli(cli: GatewayCli, argv = process.argv.slice(2)): Promise<void> {
  const fail = (code: number, message: string): never => {
    process.stderr.write(`${cli.name}: ${message}\n`)
    process.exit(code)
  }
  let values: FlagValues | 'help'
  try {
    values = parseFlags(cli, argv, process.env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    return fail(2, `${error.message}\nRun ${cli.name} --help for the options.`)
  }
  if (values === 'help') {
    process.stdout.write(`${helpText(cli)}\n`)
    return
  }
  let gateway: RunningGateway
  try {
    gateway = await cli.start(values)
  } catch (error) {
    if (error instanceof UsageError) return fail(2, error.message)
    const { code, message } = error as NodeJS.ErrnoException
    if (code === 'EADDRINUSE') return fail(1, `port ${values.port} is in use (${message})`)
    return fail(1, `cannot start: ${message}`)
  }
  try {
    await gateway.checkBackend()
  } catch (error) {
    await gateway.close()
    return fail(1, `${(error as Error).message}`)
  }
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) process.exit(1)
    stopping = true
    process.stderr.write(`${cli.name}: ${signal}, stopping\n`)
    setTimeout(() => fail(1, 'close took too long; exiting anyway'), 12_000).unref()
    void gateway.close().then(() => process.exit(0))
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  process.stdout.write(`${cli.name} listening on ${gateway.url} (${cli.describe(values)})\n`)
}

/** A URL without its password, for log lines. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString().replace(/\/$/, '')
  } catch {
    return url
  }
}
