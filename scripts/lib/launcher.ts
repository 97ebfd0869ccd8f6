// The one way this repository starts a program it owns (a gateway CLI, redis-server, mariadbd,
// wrangler, workerd): in a process group of its own, so a terminal's Ctrl-C reaches only us and a
// stop reaches its children too; ready when a line appears or a probe passes; stopped with
// SIGTERM then SIGKILL; frozen and thawed; started again with the same command (same port); and
// killed when this process exits without stopping it.
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { signalGroup, sleep } from './processes.ts'

export interface LaunchSpec {
  /** For messages, e.g. "redis" or "upstash-gateway" */
  name: string
  command: string
  args: string[]
  cwd?: string
  env?: NodeJS.ProcessEnv
  /**
   * stdout and stderr: into a file (replaced at each start; the program survives us if we are
   * killed -9), to our own terminal, only stderr to our terminal (`stderr`: a chatty stdout costs
   * nothing), or read by us (`capture`: kept in memory, passed to `onLine`).
   */
  output: { file: string } | 'inherit' | 'stderr' | 'capture'
  onLine?: (line: string) => void
  /** Called with the pid as soon as the program runs, before it is ready. */
  onSpawn?: (pid: number) => void
  /** Ready when a captured line matches (its match is kept), or when the probe passes. */
  ready?: { line: RegExp } | { probe: () => Promise<boolean> }
  /** default 15 s */
  startupMs?: number
  /** SIGTERM, then SIGKILL after this long; default 15 s */
  stopGraceMs?: number
}

/** Why a start failed, with the end of the program's output. */
export class LaunchError extends Error {}

const owned = new Set<number>()
let exitHookInstalled = false

/** Signals every owned process group still running; a second Ctrl-C uses SIGKILL. */
export function killOwned(signal: NodeJS.Signals): void {
  for (const pid of owned) signalGroup(pid, signal)
}

const groupAlive = (pid: number) => signalGroup(pid, 0)

export class OwnedProcess {
  readonly spec: LaunchSpec
  /** The ready line's match (e.g. the URL a gateway prints), set by start(). */
  readyMatch: RegExpMatchArray | undefined
  private child: ChildProcess | undefined
  private exit: Promise<number | string> = Promise.resolve('not started')
  private captured = ''
  private stopping: Promise<void> | undefined

  constructor(spec: LaunchSpec) {
    this.spec = spec
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  get running(): boolean {
    return this.child !== undefined
  }

  /** Resolves with the exit code (or signal name) of the current run. */
  get exited(): Promise<number | string> {
    return this.exit
  }

  /** Starts the program and waits until it is ready; on failure it is stopped and the error carries its output. */
  async start(signal?: AbortSignal): Promise<this> {
    if (this.child) return this
    const { spec } = this
    this.captured = ''
    this.readyMatch = undefined
    this.stopping = undefined
    const file = typeof spec.output === 'object' ? openSync(spec.output.file, 'w') : undefined
    let child: ChildProcess
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio:
          file !== undefined
            ? ['ignore', file, file]
            : spec.output === 'capture'
              ? ['ignore', 'pipe', 'pipe']
              : ['ignore', spec.output === 'inherit' ? 'inherit' : 'ignore', 'inherit'],
      })
    } finally {
      if (file !== undefined) closeSync(file)
    }
    this.child = child
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, sig) => resolve(code ?? sig ?? 'unknown'))
      child.once('error', (error) => resolve(error.message))
    })
    const pid = child.pid
    if (pid !== undefined) {
      owned.add(pid)
      installExitHook()
      void this.exit.then(() => {
        if (!groupAlive(pid)) owned.delete(pid)
      })
      spec.onSpawn?.(pid)
    }
    let lineSeen: (() => void) | undefined
    const lineReady = new Promise<void>((resolve) => {
      lineSeen = resolve
    })
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.captured = `${this.captured}${line}\n`.slice(-64 * 1024)
        spec.onLine?.(line)
        if (spec.ready && 'line' in spec.ready && this.readyMatch === undefined) {
          const match = spec.ready.line.exec(line)
          if (match) {
            this.readyMatch = match
            lineSeen?.()
          }
        }
      })
    }
    let exited: number | string | undefined
    void this.exit.then((code) => {
      exited = code
      lineSeen?.()
    })
    const deadline = Date.now() + (spec.startupMs ?? 15_000)
    try {
      if (pid === undefined) throw new LaunchError(`${spec.name}: could not start ${spec.command}`)
      if (spec.ready && 'line' in spec.ready) {
        const timeout = sleep(Math.max(0, deadline - Date.now()), signal).catch(() => {})
        await Promise.race([lineReady, timeout])
        signal?.throwIfAborted()
        if (this.readyMatch === undefined) throw this.failure(exited ?? 'timeout')
      } else if (spec.ready && 'probe' in spec.ready) {
        while (!(await spec.ready.probe())) {
          if (exited !== undefined || Date.now() > deadline) throw this.failure(exited ?? 'timeout')
          await sleep(100, signal)
        }
      }
    } catch (error) {
      await this.kill()
      throw error
    }
    return this
  }

  private failure(reason: number | string): LaunchError {
    const what = reason === 'timeout' ? 'was not ready in time' : `exited (${reason})`
    return new LaunchError(`${this.spec.name} ${what} while starting:\n${this.output()}`)
  }

  /** The end of what the program wrote (captured or in its log file). */
  output(lines = 15): string {
    if (this.spec.output === 'inherit' || this.spec.output === 'stderr') {
      return '(its output is above)'
    }
    let text = this.captured
    if (typeof this.spec.output === 'object') {
      try {
        text = readFileSync(this.spec.output.file, 'utf8')
      } catch {
        text = ''
      }
    }
    return text.trimEnd().split('\n').slice(-lines).join('\n') || '(no output)'
  }

  /** SIGTERM to the group, SIGKILL after the grace; resolves when the whole group is gone. */
  stop(graceMs = this.spec.stopGraceMs ?? 15_000): Promise<void> {
    const child = this.child
    const pid = child?.pid
    if (!child || pid === undefined) return Promise.resolve()
    this.stopping ??= (async () => {
      signalGroup(pid, 'SIGCONT')
      signalGroup(pid, 'SIGTERM')
      const deadline = Date.now() + graceMs
      const force = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs)
      await this.exit
      clearTimeout(force)
      // The leader may exit before its own children (wrangler before workerd).
      while (groupAlive(pid) && Date.now() < deadline) await sleep(50)
      if (groupAlive(pid)) signalGroup(pid, 'SIGKILL')
      this.forget(pid)
    })()
    return this.stopping
  }

  /** A crash: SIGKILL, no shutdown work. */
  async kill(): Promise<void> {
    const pid = this.child?.pid
    if (pid === undefined) {
      this.child = undefined
      return
    }
    signalGroup(pid, 'SIGKILL')
    await this.exit
    this.forget(pid)
  }

  /** Frozen: its ports still accept connections, but nothing answers. */
  pause(): void {
    this.signal('SIGSTOP')
  }

  resume(): void {
    this.signal('SIGCONT')
  }

  /** Stops it and starts the same command again (same port, same files). */
  async restart(signal?: AbortSignal): Promise<this> {
    await this.stop()
    return this.start(signal)
  }

  private signal(name: NodeJS.Signals): void {
    const pid = this.child?.pid
    if (pid === undefined) throw new Error(`${this.spec.name} is not running`)
    signalGroup(pid, name)
  }

  private forget(pid: number): void {
    owned.delete(pid)
    if (this.child?.pid === pid) this.child = undefined
  }
}

/** Starts a program and waits until it is ready. */
export function launch(spec: LaunchSpec, signal?: AbortSignal): Promise<OwnedProcess> {
  return new OwnedProcess(spec).start(signal)
}

/**
 * Last resort when this process exits without stopping what it started (an uncaught error,
 * process.exit): the groups are detached, so nothing else would end them.
 */
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => killOwned('SIGTERM'))
}

/** A readiness probe: the server answers anything at `url`, even a 500 (it is up and serving). */
export async function httpAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) })
    await response.arrayBuffer()
    return true
  } catch {
    return false
  }
}
