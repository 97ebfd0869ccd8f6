import { AsyncLocalStorage } from 'node:async_hooks'

/** A backend (Upstash or PlanetScale) could not be reached in time: the request answers 503. */
export class BackendUnavailable extends Error {
  constructor(backend: Backend, cause: unknown) {
    super(`${backend} unavailable: ${String(cause)}`, { cause })
    this.name = 'BackendUnavailable'
  }
}

export type Backend = 'upstash' | 'planetscale'

/** The budget of the request on whose behalf a backend call runs. */
const budgets = new AsyncLocalStorage<RequestBudget>()

/** Runs one request's work: its backend calls are bounded by `budget`. */
export const withBudget = <T>(budget: RequestBudget, work: () => T) => budgets.run(budget, work)

export function currentBudget(): RequestBudget {
  const budget = budgets.getStore()
  if (!budget) throw new Error('backend called outside a request (no budget)')
  return budget
}

/**
 * Runs `work` (waiting for this isolate's own CPU, such as a password hash queued behind
 * others) without spending the budget of the request it belongs to, if any: the budget bounds
 * the wait for backends, and CPU queueing is not a backend being unavailable.
 */
export async function outsideBudget<T>(work: () => Promise<T>): Promise<T> {
  const started = Date.now()
  try {
    return await work()
  } finally {
    budgets.getStore()?.extend(Date.now() - started)
  }
}

/** Below this much time left, a read is not tried again: the answer would come too late anyway. */
const MIN_RETRY_MS = 100

/** The part of a request's budget kept for making its answer once the backend calls are over. */
const answerReserveMs = (totalMs: number) => Math.min(250, totalMs / 10)

/**
 * One request's time for all its backend calls. Each call may take the per-call timeout or what
 * is left of the request's budget, whichever is shorter; once the budget (less a reserve for the
 * answer itself) is spent, calls fail at once. So the request answers (503 at worst) within the
 * budget, however the backends behave.
 */
export class RequestBudget {
  private deadline: number
  private readonly perCallMs: number
  private lastSignal: { startedAt: number; signal: AbortSignal } | undefined

  constructor(totalMs: number, perCallMs: number) {
    this.deadline = Date.now() + totalMs - answerReserveMs(totalMs)
    this.perCallMs = perCallMs
  }

  /** Adds `ms` to the budget (time that was not spent waiting for a backend). */
  extend(ms: number): void {
    this.deadline += ms
  }

  /**
   * The abort signal for one backend call. Calls that start at the same instant (the session
   * check and the query of a read) share one: Workers advance the clock only between I/O events,
   * so the same Date.now() means started together, and one timer does for both.
   */
  signal(backend: Backend): AbortSignal {
    const now = Date.now()
    const left = this.deadline - now
    if (left <= 0) throw new BackendUnavailable(backend, 'request budget spent')
    if (this.lastSignal?.startedAt !== now) {
      const signal = AbortSignal.timeout(Math.min(this.perCallMs, left))
      this.lastSignal = { startedAt: now, signal }
    }
    return this.lastSignal.signal
  }

  /**
   * Runs one backend call. A failure to get an answer (network error, timeout) becomes
   * BackendUnavailable; a repeatable call is first tried once more if time is left, which also
   * rides over a pooled connection the restarted backend has closed. `isAnswer` tells the
   * backend's own error replies, which pass unchanged and are never retried.
   */
  async call<T>(
    backend: Backend,
    repeatable: boolean,
    attempt: () => Promise<T>,
    isAnswer: (error: unknown) => boolean
  ): Promise<T> {
    for (let tries = repeatable ? 2 : 1; ; ) {
      try {
        return await attempt()
      } catch (error) {
        if (isAnswer(error) || error instanceof BackendUnavailable) throw error
        tries--
        if (tries === 0 || this.deadline - Date.now() < MIN_RETRY_MS) {
          throw new BackendUnavailable(backend, error)
        }
      }
    }
  }
}
