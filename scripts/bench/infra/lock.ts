// Load runs from different people on this machine must not overlap: every heavy phase holds
// flock(1) on one file. The lock is held by a `flock … read` child: closing its stdin (or our
// death, which closes it too) ends the child and releases the lock.
import { spawn } from 'node:child_process'

export const BENCH_LOCK = '/tmp/bench.lock'

export interface HeldLock {
  release(): Promise<void>
}

export async function acquireLock(
  path = BENCH_LOCK,
  log: (line: string) => void = console.log
): Promise<HeldLock> {
  const child = spawn('flock', ['--exclusive', path, 'sh', '-c', 'echo locked; read -r _'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const waiting = setTimeout(() => log(`waiting for ${path} (another load run holds it)`), 1000)
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`flock ${path} exited with ${code}`)))
      child.stdout.once('data', () => resolve())
    })
  } finally {
    clearTimeout(waiting)
  }
  return {
    release: async () => {
      child.stdin.end()
      await exited
    },
  }
}
