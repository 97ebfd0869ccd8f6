// The app as a developer runs it: `wrangler dev` on a free port with the given bindings.
import { httpAnswers, OwnedProcess } from '../../scripts/lib/launcher.ts'
import { freePort } from '../../scripts/lib/processes.ts'

export interface RunningApp {
  url: string
  process: OwnedProcess
}

/** Starts `wrangler dev` with `vars` as --var bindings; ready once /healthz answers. */
export async function startWranglerDev(vars: Record<string, string>): Promise<RunningApp> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const process_ = new OwnedProcess({
    name: 'wrangler dev',
    command: 'npx',
    args: [
      'wrangler',
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(await freePort()),
      ...Object.entries(vars).flatMap(([key, value]) => ['--var', `${key}:${value}`]),
    ],
    env: {
      ...process.env,
      CI: 'true',
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    },
    output: 'capture',
    ready: { probe: () => httpAnswers(`${url}/healthz`) },
    startupMs: 90_000,
    stopGraceMs: 10_000,
  })
  await process_.start()
  return { url, process: process_ }
}
