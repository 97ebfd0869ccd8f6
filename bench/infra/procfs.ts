// Process facts from /proc (Linux), undefined once the process is gone.
import { readdirSync, readFileSync } from 'node:fs'

/** Resident set size in bytes. */
export function rssOf(pid: number): number | undefined {
  try {
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return kib ? Number(kib[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

/** CPU ms all threads of a process have run so far, at nanosecond resolution (schedstat). */
export function cpuMs(pid: number): number | undefined {
  try {
    let ns = 0
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0])
    }
    return ns / 1e6
  } catch {
    return undefined
  }
}

/** From now until the returned function is called: the CPU ms each process spent, by name. */
export function cpuMeter(processes: Record<string, number>): () => Record<string, number> {
  const read = () => Object.entries(processes).map(([name, pid]) => [name, cpuMs(pid)] as const)
  const before = new Map(read())
  return () => {
    const spent: Record<string, number> = {}
    for (const [name, ms] of read()) {
      const from = before.get(name)
      if (ms !== undefined && from !== undefined) spent[name] = ms - from
    }
    return spent
  }
}

export const perRequest = (ms: Record<string, number>, requests: number) =>
  Object.fromEntries(
    Object.entries(ms).map(([name, total]) => [name, total / Math.max(1, requests)])
  )
