// Running a gateway's command line in a test, and finding a free port.
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'

const children = new Set<ChildProcess>()

/** SIGKILLs every command runCli started that is still running (call it after each test). */
export function killCliProcesses(): void {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
}

/**
 * Runs `node <script> ...args` with only PATH, NODE_OPTIONS (how this Node is set up, e.g. its
 * --conditions) and `env` in its environment. `firstLine` resolves with the first line it prints
 * on stdout ('' if it exits first).
 */
export function runCli(script: string, args: string[], env: Record<string, string> = {}) {
  const { PATH, NODE_OPTIONS } = process.env
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH, NODE_OPTIONS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = once(child, 'exit').then(([code]) => {
    children.delete(child)
    return code as number | null
  })
  const firstLine = new Promise<string>((resolve) => {
    child.stdout.on('data', () => {
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0] as string)
    })
    void exited.then(() => resolve(''))
  })
  return { child, exited, firstLine, output: () => ({ stdout, stderr }) }
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
