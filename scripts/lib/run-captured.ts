import { spawn } from 'node:child_process'

/** Runs a command to completion; resolves with its output, rejects with the output's tail. */
export function runCaptured(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv }
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk
    })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolvePromise(output)
        : reject(
            new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`)
          )
    )
  })
}
