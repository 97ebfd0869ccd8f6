import type { Config } from '../env'

/** How long a session lives: idle (the Redis TTL, refreshed by reads) and at most (absolute). */
export interface SessionPolicy {
  idleSeconds: number
  absoluteSeconds: number
  /** live sessions per user: a login beyond it ends the oldest */
  perUser: number
  /**
   * How long a replaced password stays marked: longer than any login that read it can still
   * take to store its session (its budget), counted from before the new hash is stored (the
   * change's own budget), with room to spare.
   */
  replacedPasswordMs: number
}

export const sessionPolicy = (config: Config): SessionPolicy => ({
  idleSeconds: config.SESSION_IDLE_SECONDS,
  absoluteSeconds: config.SESSION_ABSOLUTE_SECONDS,
  perUser: config.SESSIONS_PER_USER,
  replacedPasswordMs: 2 * config.REQUEST_BUDGET_MS + 10_000,
})
