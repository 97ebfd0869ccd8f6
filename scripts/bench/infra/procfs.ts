// Process facts from /proc (Linux): CPU time and resident memory.
import { readdirSync, readFileSync } from 'node:fs'

/** Resident set size in bytes, undefined when the process is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    return kib ? Number(kib[1]) * 1024 : undefined
  } catch {
    return undefined
  }
}

const CLOCK_TICKS_PER_SECOND = 100

/** CPU time (user + system) a process has used so far, in ms; undefined when it is gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after "(comm) ": state is field 3, utime 14 and stime 15 (1-based).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** CPU time all threads of a process have run, in ms at nanosecond resolution (schedstat). */
export function preciseCpuMs(pid: number): number | undefined {
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
