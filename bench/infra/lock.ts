// Load runs from different people on this machine must not overlap: every heavy phase holds
// flock(1) on one file. The lock is held by a `flock … read` child: closing its stdin (or our
// death, which closes it too) ends the child and releases the lock.
import { spawn } from 'node:child_process'

const LOCK = '/tmp/bench.lock'

export async function acquireLock(log: (line: string) => void): Promise<() => Promise<void>> {
  const child = spawn('flock', ['--exclusive', LOCK, 'sh', '-c', 'echo locked; read -r _'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const waiting = setTimeout(() => log(`waiting for ${LOCK} (another load run holds it)`), 1000)
  try {
    await new Promise((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`flock ${LOCK} exited with ${code}`)))
      child.stdout.once('data', resolve)
    })
  } finally {
    clearTimeout(waiting)
  }
  return async () => {
    child.stdin.end()
    await exited
  }
}
