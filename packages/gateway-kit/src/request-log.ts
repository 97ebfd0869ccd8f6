import { performance } from 'node:perf_hooks'

/** How many [start, end] pairs each credential keeps. */
export const TIMELINE_SIZE = 1000

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const wallClock = () => performance.timeOrigin + performance.now()

/** Which copy of the data answered: the primary, or a (possibly stale) replica. */
export type AnswerTarget = 'primary' | 'replica'

/** One logged request, as answers() lists them. */
export interface LoggedAnswer {
  start: number
  end: number
  /** Set when the gateway said which copy answered. */
  target?: AnswerTarget
}

const TARGET_CODES: (AnswerTarget | undefined)[] = [undefined, 'primary', 'replica']

interface Entry {
  count: number
  /** start, end, start, end, … of the last TIMELINE_SIZE requests, oldest overwritten first */
  ring: Float64Array
  next: number
  /** 0 none, 1 primary, 2 replica, per ring slot */
  targets: Uint8Array
  anyTarget: boolean
}

/**
 * Requests per credential (an Upstash token, a PlanetScale username, "" for requests without
 * valid credentials): how many, and when the last ones started and ended. A Map, so any
 * credential, "__proto__" included, is a key.
 */
export class RequestLog {
  private readonly entries = new Map<string, Entry>()

  record(credential: string, start: number, end: number, target?: AnswerTarget): void {
    let entry = this.entries.get(credential)
    if (entry === undefined) {
      entry = {
        count: 0,
        ring: new Float64Array(2 * TIMELINE_SIZE),
        next: 0,
        targets: new Uint8Array(TIMELINE_SIZE),
        anyTarget: false,
      }
      this.entries.set(credential, entry)
    }
    entry.count++
    entry.ring[2 * entry.next] = start
    entry.ring[2 * entry.next + 1] = end
    entry.targets[entry.next] = target === undefined ? 0 : TARGET_CODES.indexOf(target)
    if (target !== undefined) entry.anyTarget = true
    entry.next = (entry.next + 1) % TIMELINE_SIZE
  }

  count(credential: string): number {
    return this.entries.get(credential)?.count ?? 0
  }

  counts(): Record<string, number> {
    return Object.fromEntries([...this.entries].map(([credential, e]) => [credential, e.count]))
  }

  /** The last requests' [start, end] in the order they ended, oldest first. */
  recent(credential: string): [number, number][] {
    const entry = this.entries.get(credential)
    if (entry === undefined) return []
    const kept = Math.min(entry.count, TIMELINE_SIZE)
    const first = entry.count > TIMELINE_SIZE ? entry.next : 0
    const out: [number, number][] = []
    for (let i = 0; i < kept; i++) {
      const slot = (first + i) % TIMELINE_SIZE
      out.push([entry.ring[2 * slot] as number, entry.ring[2 * slot + 1] as number])
    }
    return out
  }

  /** The last requests with the copy that answered each, in the order they ended. */
  answers(credential: string): LoggedAnswer[] {
    const entry = this.entries.get(credential)
    if (entry === undefined) return []
    const first = entry.count > TIMELINE_SIZE ? entry.next : 0
    return this.recent(credential).map(([start, end], i) => {
      const target = TARGET_CODES[entry.targets[(first + i) % TIMELINE_SIZE] as number]
      return target === undefined ? { start, end } : { start, end, target }
    })
  }

  /** The body of GET /__stats; `targets` (one per `recent` entry) once any answer named one. */
  statsJson(credential: string): string {
    const answers = this.answers(credential)
    const recent = answers.map(({ start, end }) => `[${start},${end}]`)
    let body = `{"requests":${this.count(credential)},"recent":[${recent.join(',')}]`
    if (this.entries.get(credential)?.anyTarget) {
      body += `,"targets":[${answers.map((a) => (a.target ? `"${a.target}"` : 'null')).join(',')}]`
    }
    return `${body}}`
  }
}
