import { Ratelimit } from '@upstash/ratelimit'
import type { Redis } from '@upstash/redis/cloudflare'
import type { Config } from '../env'

export interface ThrottleVerdict {
  allowed: boolean
  /** Seconds until the blocking window frees a slot (for Retry-After). */
  retryAfter: number
}

function limiter(redis: Redis, prefix: string, tokens: number, windowSeconds: number) {
  return new Ratelimit({
    redis,
    prefix: `throttle:${prefix}`,
    limiter: Ratelimit.slidingWindow(tokens, `${windowSeconds} s`),
    analytics: false,
    // A per-request instance would make the in-memory cache useless; it also must never let a
    // request through because Redis was slow (timeout: 0 disables "allow on timeout").
    ephemeralCache: false,
    timeout: 0,
  })
}

export function throttles(redis: Redis, config: Config) {
  const window = config.LOGIN_LIMIT_WINDOW_SECONDS
  return {
    loginAccount: limiter(redis, 'login:account', config.LOGIN_LIMIT_PER_ACCOUNT, window),
    loginAddress: limiter(redis, 'login:address', config.LOGIN_LIMIT_PER_ADDRESS, window),
    registerAddress: limiter(redis, 'register:address', config.LOGIN_LIMIT_PER_ADDRESS, window),
  }
}

/** Checks all limits in one round trip (auto-pipelined); blocked if any limit is exhausted. */
export async function checkLimits(checks: Array<[Ratelimit, string]>): Promise<ThrottleVerdict> {
  const results = await Promise.all(checks.map(([limit, id]) => limit.limit(id)))
  const blocked = results.filter((result) => !result.success)
  if (blocked.length === 0) return { allowed: true, retryAfter: 0 }
  const reset = Math.max(...blocked.map((result) => result.reset))
  return { allowed: false, retryAfter: Math.max(1, Math.ceil((reset - Date.now()) / 1000)) }
}
