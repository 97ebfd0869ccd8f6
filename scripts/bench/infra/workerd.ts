// A built Worker served by workerd itself, as on the edge: no Miniflare entry Worker in front
// and no Node process between workerd and its log lines. The config is generated next to the
// bundle (wrangler deploy --dry-run --outdir): every .js and .wasm module there, text bindings,
// and an "internet" service that may reach the gateways on 127.0.0.1.
import { readdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, dirname, join } from 'node:path'
import { httpAnswers, OwnedProcess } from '../../lib/launcher.ts'
import { freePort } from '../../lib/processes.ts'
import {
  type InspectorSession,
  inspectorTarget,
  isolateHeapUsed,
  openInspector,
  recordCpuProfile,
} from './inspector.ts'
import { rssOf } from './procfs.ts'

/** What wrangler.toml says about the runtime: compatibility date and flags, and [vars]. */
async function wranglerSettings(configPath: string) {
  // wrangler is large; load it only when a Worker is started.
  const { unstable_readConfig } = await import('wrangler')
  const config = unstable_readConfig({ config: configPath })
  const vars: Record<string, string> = {}
  for (const [name, value] of Object.entries(config.vars ?? {})) vars[name] = String(value)
  return {
    compatibilityDate: config.compatibility_date ?? '2026-10-01',
    compatibilityFlags: config.compatibility_flags ?? [],
    vars,
  }
}

const SERVICE = 'worker'
/** The workerd package (CommonJS) exports the path of the binary for this platform. */
const WORKERD = (createRequire(import.meta.url)('workerd') as { default: string }).default
const text = (value: string) => JSON.stringify(value)

interface WorkerdSpec {
  mainModule: string
  compatibilityDate: string
  compatibilityFlags: string[]
  bindings: Record<string, string>
}

async function writeConfig(spec: WorkerdSpec, port: number): Promise<string> {
  const dir = dirname(spec.mainModule)
  const main = basename(spec.mainModule)
  const others = (await readdir(dir)).filter((f) => f !== main && /\.(m?js|wasm)$/.test(f))
  const modules = [main, ...others].map((file) =>
    file.endsWith('.wasm')
      ? `(name = ${text(file)}, wasm = embed ${text(file)})`
      : `(name = ${text(file)}, esModule = embed ${text(file)})`
  )
  const bindings = Object.entries(spec.bindings).map(
    ([name, value]) => `(name = ${text(name)}, text = ${text(value)})`
  )
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = ${text(SERVICE)}, worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = ${text(`127.0.0.1:${port}`)}, http = (), service = ${text(SERVICE)})],
);
const worker :Workerd.Worker = (
  modules = [${modules.join(', ')}],
  compatibilityDate = ${text(spec.compatibilityDate)},
  compatibilityFlags = [${spec.compatibilityFlags.map(text).join(', ')}],
  bindings = [${bindings.join(', ')}],
);
`
  const path = join(dir, 'workerd.capnp')
  await writeFile(path, config)
  return path
}

export interface WorkerMemory {
  /** resident memory of the workerd process */
  workerdRss?: number
  /** with inspect: the isolate's JS heap in use (no GC) */
  isolateHeapUsed?: number
}

/** A built Worker served by workerd itself. */
export class WorkerHost {
  readonly url: string
  private readonly workerd: OwnedProcess
  private readonly inspector: InspectorSession | undefined

  private constructor(url: string, workerd: OwnedProcess, inspector?: InspectorSession) {
    this.url = url
    this.workerd = workerd
    this.inspector = inspector
  }

  static async start(spec: {
    /** the built module (wrangler deploy --dry-run --outdir) */
    mainModule: string
    /** wrangler.toml, for the compatibility date, flags and [vars] */
    wranglerConfig: string
    /** on top of [vars]: secrets and overrides */
    bindings: Record<string, string>
    /** open workerd's inspector: the isolate's JS heap (soak), its CPU profile (profile) */
    inspect?: boolean
  }): Promise<WorkerHost> {
    const { vars, ...runtime } = await wranglerSettings(spec.wranglerConfig)
    const port = await freePort()
    const inspectorPort = spec.inspect ? await freePort() : undefined
    const bindings = { ...vars, ...spec.bindings }
    const config = await writeConfig({ mainModule: spec.mainModule, ...runtime, bindings }, port)
    const args = ['serve', config]
    if (inspectorPort) args.push(`--inspector-addr=127.0.0.1:${inspectorPort}`)
    const url = `http://127.0.0.1:${port}`
    // The app logs one JSON line per request: workerd still formats them; nobody reads them.
    const workerd = await new OwnedProcess({
      name: 'workerd',
      command: WORKERD,
      args,
      output: 'stderr',
      ready: { probe: () => httpAnswers(`${url}/healthz`) },
      startupMs: 20_000,
      stopGraceMs: 5000,
    }).start()
    if (!inspectorPort) return new WorkerHost(url, workerd)
    try {
      const inspector = new URL(`ws://127.0.0.1:${inspectorPort}`)
      return new WorkerHost(
        url,
        workerd,
        await openInspector(await inspectorTarget(inspector, SERVICE))
      )
    } catch (error) {
      await workerd.stop()
      throw error
    }
  }

  get workerdPid(): number {
    return this.workerd.pid as number
  }

  /** A CPU profile of the Worker's isolate while `during` runs (started with inspect). */
  cpuProfile<T>(intervalUs: number, during: () => Promise<T>) {
    if (!this.inspector) throw new Error('started without inspect')
    return recordCpuProfile(this.inspector, intervalUs, during)
  }

  async memory(): Promise<WorkerMemory> {
    const workerdRss = rssOf(this.workerdPid)
    const heap = this.inspector ? await isolateHeapUsed(this.inspector) : undefined
    return {
      ...(workerdRss ? { workerdRss } : {}),
      ...(heap ? { isolateHeapUsed: heap } : {}),
    }
  }

  async close(): Promise<void> {
    this.inspector?.close()
    await this.workerd.stop()
  }
}
