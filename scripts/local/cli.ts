import { ServicesError } from './backends.ts'
import { killOwned } from './processes.ts'

/**
 * Handles Ctrl-C, SIGTERM and SIGHUP: the first stops cleanly via onStop, a second one kills at once.
 * Also stops when the parent goes away: `kill <npm pid>` ends npm's `sh -c` but not us.
 */
export function onInterrupt(onStop: (reason: string) => void): void {
  let interrupted = false
  const interrupt = (reason: string) => {
    if (interrupted) {
      console.error('stopping now')
      killOwned('SIGKILL')
      process.exit(130)
    }
    interrupted = true
    onStop(reason)
  }
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(name, () => interrupt(name))
  const parent = process.ppid
  const watch = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(watch)
    interrupt('parent process exited')
  }, 1000)
  watch.unref()
}

/** What an expected failure prints: the message alone; anything else with its stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof ServicesError) return error.message
  if (error instanceof Error) return error.stack ?? error.message
  return String(error)
}
