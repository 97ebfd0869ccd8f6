// npm run dev: the local services (started, or reused when already running), .dev.vars, the
// migrations, then `wrangler dev` on http://127.0.0.1:8787. Ctrl-C stops all of it.
import { createServer } from 'node:net'
import { httpAnswers, OwnedProcess } from './lib/launcher.ts'
import { ROOT, WRANGLER_CLI, WRANGLER_ENV } from './lib/project.ts'
import { describeFailure, onInterrupt, parseLocalFlags } from './local/cli.ts'
import { ensureDevVars } from './local/dev-vars.ts'
import { onGatewayExit, type Services, ServicesError, startServices } from './services.ts'

const HOST = '127.0.0.1'
const APP_PORT = 8787
const APP_URL = `http://${HOST}:${APP_PORT}`

const say = (line: string) => console.log(`dev: ${line}`)

/** Fails early, before anything starts, when another app (often an earlier `npm run dev`) holds the port. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new ServicesError(`port ${port} is in use (is another npm run dev running?)`)
          : error
      )
    )
    server.listen(port, HOST, () => server.close(() => resolve()))
  })
}

function wranglerDev(services: Services): OwnedProcess {
  const args = ['dev', '--ip', HOST, '--port', String(APP_PORT)]
  // No hotkeys: Ctrl-C must stay a signal to this process group, not a keypress wrangler handles.
  args.push('--show-interactive-dev-session=false')
  // wrangler.toml holds the production URL; --var wins over it and over an edited .dev.vars, so
  // the app in dev always talks to the local gateway.
  args.push('--var', `UPSTASH_REDIS_REST_URL:${services.upstashUrl}`)
  // With --replicas the app reads from the read-only region; without, never from one a .dev.vars
  // of an earlier run may still name (an empty value is none).
  args.push('--var', `DATABASE_REPLICA_URL:${services.replicas?.databaseReplicaUrl ?? ''}`)
  return new OwnedProcess({
    name: 'wrangler dev',
    command: process.execPath,
    args: [WRANGLER_CLI, ...args],
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_ENV },
    output: 'inherit',
    ready: { probe: () => httpAnswers(`${APP_URL}/`) },
    startupMs: 120_000,
    stopGraceMs: 10_000,
  })
}

async function main(): Promise<void> {
  const controller = new AbortController()
  let services: Services | undefined
  let wrangler: OwnedProcess | undefined
  let stopping = false
  let startup: Promise<Services | undefined> = Promise.resolve(undefined)

  const shutdown = async (code: number) => {
    // An interrupted startup first undoes its own steps (startServices stops what it started).
    await startup.catch(() => {})
    await wrangler?.stop()
    await services?.stop()
    process.exit(code)
  }
  onInterrupt((reason) => {
    stopping = true
    say(`${reason}, stopping…`)
    controller.abort(new ServicesError(`interrupted: ${reason}`))
    void shutdown(0)
  })

  startup = (async () => {
    const { latencyMs, replicas } = parseLocalFlags('dev', process.argv.slice(2))
    await assertPortFree(APP_PORT)
    services = await startServices({
      signal: controller.signal,
      latencyMs,
      replicas,
      log: (line) => console.log(`services: ${line}`),
    })
    const plan = ensureDevVars(ROOT, {
      UPSTASH_REDIS_REST_URL: services.upstashUrl,
      UPSTASH_REDIS_REST_TOKEN: services.upstashToken,
      DATABASE_URL: services.databaseUrl,
    })
    for (const change of plan.changes) say(`.dev.vars: ${change}`)
    for (const warning of plan.warnings) say(`.dev.vars: warning: ${warning}`)
    if (services.replicas) {
      say(`read-only region: DATABASE_REPLICA_URL=${services.replicas.databaseReplicaUrl}`)
    }
    controller.signal.throwIfAborted()
    return services
  })()
  let ready: Services | undefined
  try {
    ready = await startup
  } catch (error) {
    if (!stopping) console.error(`dev: ${describeFailure(error)}`)
  }
  if (!ready) return stopping ? undefined : shutdown(1)

  const running = wranglerDev(ready)
  wrangler = running
  try {
    await running.start(controller.signal)
  } catch (error) {
    if (stopping) return
    stopping = true
    console.error(`dev: ${describeFailure(error)}`)
    return shutdown(1)
  }
  void running.exited.then((code) => {
    if (stopping) return
    stopping = true
    console.error(`dev: wrangler exited (${code}); stopping the services`)
    void shutdown(typeof code === 'number' && code !== 0 ? code : 1)
  })
  onGatewayExit(ready, (name, code) => {
    if (stopping) return
    stopping = true
    console.error(`dev: ${name} exited (${code}); stopping the rest`)
    void shutdown(1)
  })
  const settings = ready.replicas?.settings
  const latency = settings
    ? ` (replicas: near ${settings.nearMs} ms, far ${settings.farMs} ms, lag ${settings.lagMs} ms)`
    : ready.latencyMs
      ? ` (gateways answer ${ready.latencyMs} ms late)`
      : ''
  console.log(`\nApp: ${APP_URL}${latency}\n`)
}

void main()
