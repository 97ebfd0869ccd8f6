import type { Config } from '../env'

/** How long a session lives: idle (the Redis TTL, refreshed by reads) and at most (absolute). */
export interface SessionPolicy {
  idleSeconds: number
  absoluteSeconds: number
}

export const sessionPolicy = (config: Config): SessionPolicy => ({
  idleSeconds: config.SESSION_IDLE_SECONDS,
  absoluteSeconds: config.SESSION_ABSOLUTE_SECONDS,
})
