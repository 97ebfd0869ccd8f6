import type { Config } from '../env'

/**
 * A backend's two handles. `read` is for statements that may run twice (a read, or a refresh of a
 * TTL): when no answer came, it is tried once more. `write` is never repeated, since the backend
 * may have carried it out before the answer was lost. Callers pick one explicitly.
 */
export interface ReadWrite<T> {
  readonly read: T
  readonly write: T
}

/**
 * What `make` builds, once per isolate and config (clients are built once, not per request; the
 * budget of the request a call belongs to comes from currentBudget()).
 */
export function perIsolate<T>(make: (config: Config) => T): (config: Config) => T {
  const made = new WeakMap<Config, { value: T }>()
  return (config) => {
    let entry = made.get(config)
    if (!entry) {
      entry = { value: make(config) }
      made.set(config, entry)
    }
    return entry.value
  }
}

/** Both handles, each made on first use. */
export function readWrite<T>(make: (repeatable: boolean) => T): ReadWrite<T> {
  let read: T | undefined
  let write: T | undefined
  return {
    get read() {
      read ??= make(true)
      return read
    },
    get write() {
      write ??= make(false)
      return write
    },
  }
}
