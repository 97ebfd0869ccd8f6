import { outsideBudget } from '../backends/budget'
import { AppError } from '../errors'

/**
 * Argon2id runs synchronously and holds the isolate's only thread. Hashes therefore take turns,
 * with a pause between two in which the answers that arrived meanwhile are handled (so no answer
 * waits behind a whole burst of hashes, and no backend timer fires because of our own CPU), and
 * the time a request waits for its turn does not count against its backend budget.
 * Beyond MAX_QUEUED the isolate is overloaded: 503 `overloaded` with Retry-After, at once.
 */
export const MAX_QUEUED = 128

let queued = 0
let last: Promise<unknown> = Promise.resolve()
/** A recent hash's time here, for how long the queue takes to clear (first guess: 100 ms). */
let hashMs = 100

/** How long a hash queued now would wait for its turn. */
export const expectedWaitMs = () => queued * hashMs

/** Lets timers and I/O that are ready run first; also moves the Workers clock past the hash. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 0))

export function inTurn<T>(hash: () => Promise<T>): Promise<T> {
  if (queued >= MAX_QUEUED) throw new AppError('overloaded', { retryAfter: 1 })
  queued++
  const mine = last.then(async () => {
    await pause()
    const started = Date.now()
    try {
      return await hash()
    } finally {
      await pause()
      hashMs = Math.max(1, Date.now() - started)
    }
  })
  last = mine.catch(() => {})
  return outsideBudget(() => mine).finally(() => {
    queued--
  })
}
