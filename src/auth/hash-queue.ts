import { outsideBudget } from '../backends/budget'
import { AppError } from '../errors'

/**
 * Argon2id runs synchronously and holds the isolate's only thread. Hashes therefore take turns,
 * with a pause before and after each in which the answers that arrived meanwhile are handled (so
 * no answer waits behind a whole burst of hashes, and no backend timer fires because of our own
 * CPU), and the time a request waits for its turn does not count against its backend budget.
 * Beyond MAX_QUEUED the isolate is overloaded: 503 `overloaded` with Retry-After, at once.
 *
 * A request waits for its turn on timers of its own, looking again every few milliseconds. It
 * never waits on another request's promise: Workers cancel what a finished request left pending
 * (a chain of turns hung under load), and a promise resolved from another request runs its
 * continuation there, where this request's I/O is refused.
 */
export const MAX_QUEUED = 128
/** A turn held longer than this is taken to be abandoned (its request was cancelled mid-hash). */
const ABANDONED_MS = 5000

let queued = 0
/** When the turn in progress began; 0 when no hash runs. */
let turnSince = 0
/** A recent hash's time here, for how long the queue takes to clear (first guess: 100 ms). */
let hashMs = 100

/** How long a hash queued now would wait for its turn. */
export const expectedWaitMs = () => queued * hashMs

/** Lets timers and I/O that are ready run first; also moves the Workers clock past the hash. */
const pause = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms))

const turnTaken = () => turnSince !== 0 && Date.now() - turnSince < ABANDONED_MS

async function hashInTurn<T>(hash: () => Promise<T>): Promise<T> {
  // Checked and taken in one synchronous step: the isolate runs one thing at a time.
  while (turnTaken()) await pause(Math.max(1, Math.min(10, hashMs / 8)))
  turnSince = Date.now()
  try {
    // The turn is held across both pauses: what arrived before and during the hash runs first.
    await pause()
    const started = Date.now()
    try {
      return await hash()
    } finally {
      await pause()
      hashMs = Math.max(1, Date.now() - started)
    }
  } finally {
    turnSince = 0
  }
}

export async function inTurn<T>(hash: () => Promise<T>): Promise<T> {
  if (queued >= MAX_QUEUED) throw new AppError('overloaded', { retryAfter: 1 })
  queued++
  try {
    return await outsideBudget(() => hashInTurn(hash))
  } finally {
    queued--
  }
}
