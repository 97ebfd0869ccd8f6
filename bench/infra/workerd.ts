// A built Worker served by workerd itself, as on the edge: no Miniflare entry Worker in front and
// no Node process between workerd and its log lines. The config is generated next to the bundle:
// every .js and .wasm module there, text bindings, and an "internet" service that may reach the
// gateways on 127.0.0.1.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { build } from 'esbuild'
import { httpAnswers, OwnedProcess } from '../../scripts/lib/launcher.ts'
import { freePort } from '../../scripts/lib/processes.ts'
import { ROOT } from '../../scripts/lib/project.ts'
import { type CpuProfile, openInspector } from './inspector.ts'
import { rssOf } from './procfs.ts'

/** The workerd package (CommonJS) exports the path of the binary for this platform. */
const WORKERD = (createRequire(import.meta.url)('workerd') as { default: string }).default
const text = (value: string) => JSON.stringify(value)

/** wrangler.toml's compatibility date and flags, and its [vars] under `bindings`. */
async function writeConfig(mainModule: string, bindings: Record<string, string>, port: number) {
  // wrangler is large; load it only when a Worker is started.
  const { unstable_readConfig } = await import('wrangler')
  const config = unstable_readConfig({ config: join(ROOT, 'wrangler.toml') })
  const vars = Object.entries({ ...config.vars, ...bindings })
  const main = basename(mainModule)
  const others = (await readdir(dirname(mainModule))).filter(
    (file) => file !== main && /\.(m?js|wasm)$/.test(file)
  )
  const modules = [main, ...others].map(
    (file) =>
      `(name = ${text(file)}, ${file.endsWith('.wasm') ? 'wasm' : 'esModule'} = embed ${text(file)})`
  )
  const path = join(dirname(mainModule), 'workerd.capnp')
  await writeFile(
    path,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "worker", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = ${text(`127.0.0.1:${port}`)}, http = (), service = "worker")],
);
const worker :Workerd.Worker = (
  modules = [${modules.join(', ')}],
  compatibilityDate = ${text(config.compatibility_date ?? '2026-10-01')},
  compatibilityFlags = [${(config.compatibility_flags ?? []).map(text).join(', ')}],
  bindings = [${vars.map(([name, value]) => `(name = ${text(name)}, text = ${text(String(value))})`).join(', ')}],
);
`
  )
  return path
}

export type WorkerHost = Awaited<ReturnType<typeof startWorkerd>>

/**
 * `mainModule`: as `wrangler deploy --dry-run --outdir` writes it; `bindings` on top of [vars];
 * `inspect`: open workerd's inspector, for the isolate's heap (soak) and CPU profile (profile).
 */
export async function startWorkerd(
  mainModule: string,
  bindings: Record<string, string>,
  inspect = false
) {
  const port = await freePort()
  const inspectorPort = inspect ? await freePort() : undefined
  const args = ['serve', await writeConfig(mainModule, bindings, port)]
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
  const pid = workerd.pid as number
  const inspector = inspectorPort
    ? await isolateInspector(inspectorPort).catch(async (error: unknown) => {
        await workerd.stop()
        throw error
      })
    : undefined
  return {
    url,
    pid,
    /** The isolate sampled every `intervalUs` while `during` runs. */
    async cpuProfile<T>(intervalUs: number, during: () => Promise<T>) {
      if (!inspector) throw new Error('started without inspect')
      await inspector.call('Profiler.enable')
      await inspector.call('Profiler.setSamplingInterval', { interval: intervalUs })
      await inspector.call('Profiler.start')
      const result = await during()
      const stopped = (await inspector.call('Profiler.stop', {}, 60_000)) as {
        profile?: CpuProfile
      }
      await inspector.call('Profiler.disable')
      if (!stopped?.profile) throw new Error('the inspector returned no CPU profile')
      return { profile: stopped.profile, result }
    },
    /**
     * workerd's RSS, and the isolate's own JS heap: what counts against the 128 MB limit on
     * Workers. workerd does not answer HeapProfiler.collectGarbage: the heap is read as it is.
     */
    async memory() {
      const heap = (await inspector?.call('Runtime.getHeapUsage')) as { usedSize?: number }
      return { workerdRss: rssOf(pid), isolateHeapUsed: heap?.usedSize }
    },
    async close() {
      inspector?.close()
      await workerd.stop()
    },
  }
}

/** workerd lists one inspector target per Worker, by service name. */
async function isolateInspector(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    id: string
    webSocketDebuggerUrl: string
  }[]
  const target = targets.find((t) => t.id === 'worker')
  if (!target) throw new Error('workerd: no inspector target for the Worker')
  return openInspector(target.webSocketDebuggerUrl)
}

/**
 * A throwaway Worker written inline, importing app modules by absolute path, bundled as wrangler
 * would (any .wasm it imports copied beside it) into a folder removed on close.
 */
export async function startInlineWorker(entry: string, bindings: Record<string, string>) {
  const outdir = await mkdtemp(join(tmpdir(), 'edge-status-bench-worker-'))
  try {
    await build({
      stdin: { contents: entry, resolveDir: ROOT, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      external: ['node:*'],
      loader: { '.wasm': 'copy' },
      minify: true,
      outdir,
      entryNames: 'worker',
      logLevel: 'silent',
    })
    const host = await startWorkerd(join(outdir, 'worker.js'), bindings)
    return {
      ...host,
      close: async () => {
        await host.close()
        await rm(outdir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await rm(outdir, { recursive: true, force: true })
    throw error
  }
}
