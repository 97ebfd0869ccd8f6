import { type ChildProcess, execFile, type SpawnOptions, spawn } from 'node:child_process'
import { accessSync, closeSync, constants, openSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, join } from 'node:path'

/** A child process started by us, in its own process group so a terminal Ctrl-C reaches only us. */
export interface Daemon {
  child: ChildProcess
  pid: number
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>
  /** SIGTERM to the group, then SIGKILL after graceMs; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>
}

const owned = new Set<number>()
let exitHookInstalled = false

/**
 * Last resort when this process exits without calling stop() (uncaught error, process.exit):
 * owned daemons are detached, so nothing else would end them.
 */
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => killOwned('SIGTERM'))
}

/** Signals every daemon still running; the second Ctrl-C path uses SIGKILL. */
export function killOwned(signal: NodeJS.Signals): void {
  for (const pid of owned) signalGroup(pid, signal)
}

/** Our daemons lead their own group (detached), so the group id is their pid. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // the whole group is gone
  }
}

const groupAlive = (pid: number) => isAlive(-pid)

/** Starts `command args` detached into its own group; stdout and stderr replace logFile. */
export function startDaemon(command: string, args: string[], logFile: string): Daemon {
  const fd = openSync(logFile, 'w')
  try {
    return spawnOwned(command, args, { stdio: ['ignore', fd, fd] })
  } finally {
    closeSync(fd)
  }
}

/**
 * Spawns a child in its own process group (so signals reach its own children too: wrangler's
 * workerd), tracked so that exit and a second Ctrl-C still end it.
 */
export function spawnOwned(
  command: string,
  args: string[],
  options: Omit<SpawnOptions, 'detached'>
): Daemon {
  const child = spawn(command, args, { ...options, detached: true })
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))
    child.once('error', (error) => resolve(error.message))
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not start ${command}`)
  owned.add(pid)
  installExitHook()
  void exited.then(() => {
    if (!groupAlive(pid)) owned.delete(pid)
  })
  let stopping: Promise<void> | undefined
  return {
    child,
    pid,
    exited,
    stop(graceMs = 15_000) {
      stopping ??= (async () => {
        signalGroup(pid, 'SIGTERM')
        const deadline = Date.now() + graceMs
        const force = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs)
        await exited
        clearTimeout(force)
        // The leader may exit before its own children (wrangler before workerd).
        while (groupAlive(pid) && Date.now() < deadline) await sleep(50)
        if (groupAlive(pid)) signalGroup(pid, 'SIGKILL')
        owned.delete(pid)
      })()
      return stopping
    },
  }
}

/** A port that was free a moment ago (the usual race is handled by the callers' retries). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** A process (or, for a negative pid, a process group) exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The command line of a running process ('' if gone); `ps` works on Linux and macOS alike. */
export function commandLine(pid: number): Promise<string> {
  return ps(pid, 'command=')
}

/** Alive and not a zombie (a killed process stays a zombie until its parent reaps it). */
export async function isRunning(pid: number): Promise<boolean> {
  if (!isAlive(pid)) return false
  const state = await ps(pid, 'stat=')
  return state !== '' && !state.startsWith('Z')
}

function ps(pid: number, format: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('ps', ['-p', String(pid), '-o', format], (error, stdout) =>
      resolve(error ? '' : stdout.trim())
    )
  })
}

/** Waits for a process we did not start (an orphan) to exit, escalating to SIGKILL. */
export async function terminate(pid: number, graceMs = 15_000): Promise<void> {
  signalGroup(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signalGroup(pid, 'SIGKILL')
      await sleep(200)
      return
    }
    await sleep(100)
  }
}

/**
 * Polls `url` until the server answers anything (even a 500: it is up and serving). False when
 * `exited` settles, `signal` aborts or `timeoutMs` passes first.
 */
export async function waitForHttp(
  url: string,
  options: { exited?: Promise<unknown>; signal?: AbortSignal; timeoutMs?: number } = {}
): Promise<boolean> {
  let gone = false
  void options.exited?.then(() => {
    gone = true
  })
  const deadline = Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY)
  while (!gone && !options.signal?.aborted && Date.now() < deadline) {
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      return true
    } catch {
      await sleep(100, options.signal).catch(() => {})
    }
  }
  return false
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal))
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortError(signal))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason
  return reason instanceof Error ? reason : new Error('aborted')
}

/**
 * The executable's absolute path: PATH first, then the sbin folders, where Debian installs mariadbd
 * but which are not on a normal user's PATH.
 */
export function findBinary(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean)
  for (const dir of [...dirs, '/usr/sbin', '/usr/local/sbin', '/sbin']) {
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // not here
    }
  }
  return undefined
}
