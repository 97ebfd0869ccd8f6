// Facts about processes (alive, running, their command line), and small helpers around them.
import { execFile } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, join } from 'node:path'

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

/** Signals a process group (ours lead their own, so its id is their pid); false when it is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
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
