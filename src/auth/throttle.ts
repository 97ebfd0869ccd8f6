import { Ratelimit } from '@upstash/ratelimit'
import type { Redis } from '@upstash/redis/cloudflare'
import type { Config } from '../env'
import { AppError } from '../errors'

export type Pipeline = ReturnType<Redis['pipeline']>

interface Limit {
  ratelimit: Ratelimit
  prefix: string
  windowMs: number
}

function limit(redis: Redis, name: string, tokens: number, windowSeconds: number): Limit {
  const prefix = `throttle:${name}`
  const ratelimit = new Ratelimit({
    redis,
    prefix,
    limiter: Ratelimit.slidingWindow(tokens, `${windowSeconds} s`),
    analytics: false,
    // A per-request instance would make the in-memory cache useless; it also must never let a
    // request through because Redis was slow (timeout: 0 disables "allow on timeout").
    ephemeralCache: false,
    timeout: 0,
  })
  return { ratelimit, prefix, windowMs: windowSeconds * 1000 }
}

/** On success, a limit forgets the failures (the pair), gets this token back, or keeps counting. */
interface Check {
  limit: Limit
  id: string
  onSuccess: 'clear' | 'give back' | 'keep'
}

/** The limits one kind of attempt is counted against. */
export interface Throttle {
  redis: Redis
  checks: Check[]
}

export function throttles(redis: Redis, config: Config) {
  const window = config.LOGIN_LIMIT_WINDOW_SECONDS
  const perPair = limit(redis, 'login:pair', config.LOGIN_LIMIT_PER_ACCOUNT_ADDRESS, window)
  const perAccount = limit(redis, 'login:account', config.LOGIN_LIMIT_PER_ACCOUNT, window)
  const perAddress = limit(redis, 'login:address', config.LOGIN_LIMIT_PER_ADDRESS, window)
  const signUps = limit(redis, 'register:address', config.REGISTER_LIMIT_PER_ADDRESS, window)
  return {
    /**
     * Password guesses (login, password change): strict per (account, address), looser per
     * account from anywhere (distributed guessing), and per address across accounts (spraying).
     * `email` is canonical; an address holds no space, so the pair's id is unambiguous.
     */
    passwordGuess: (email: string, address: string): Throttle => ({
      redis,
      checks: [
        { limit: perPair, id: `${address} ${email}`, onSuccess: 'clear' },
        { limit: perAccount, id: email, onSuccess: 'give back' },
        { limit: perAddress, id: address, onSuccess: 'give back' },
      ],
    }),
    /** Every sign-up counts: a success is what a bulk sign-up wants, a 409 tells who is registered. */
    registration: (address: string): Throttle => ({
      redis,
      checks: [{ limit: signUps, id: address, onSuccess: 'keep' }],
    }),
  }
}

// @upstash/ratelimit's sliding window counts in `<prefix>:<id>:<window number>` and reads the
// current and the previous window. Its resetUsedTokens() runs a SCAN over the whole keyspace, and
// limit(id, { rate: -1 }) is a script call of its own; these keys let a success undo exactly
// what the attempt took, in the session pipeline it needs anyway.
interface Token {
  check: Check
  window: number
}

const windowKey = ({ check }: Token, window: number) =>
  `${check.limit.prefix}:${check.id}:${window}`

/** The tokens one attempt holds: they stay taken if it fails, and come back otherwise. */
export class Attempt {
  private readonly redis: Redis
  private readonly tokens: Token[]

  constructor(redis: Redis, tokens: Token[]) {
    this.redis = redis
    this.tokens = tokens
  }

  /** Adds to `pipeline` what a success does: the pair forgets its failures, the rest get the token back. */
  succeeded(pipeline: Pipeline): void {
    for (const token of this.tokens) {
      const { onSuccess } = token.check
      if (onSuccess === 'clear') {
        pipeline.del(windowKey(token, token.window), windowKey(token, token.window - 1))
      } else if (onSuccess === 'give back') {
        pipeline.incrby(windowKey(token, token.window), -1)
      }
    }
  }

  /** `work`'s result; if it throws (no verdict: this isolate is overloaded), undecided first. */
  async unlessThrows<T>(work: Promise<T>): Promise<T> {
    try {
      return await work
    } catch (error) {
      await this.undecided()
      throw error
    }
  }

  /**
   * Undecided (refused by another limit, or a backend failed before the password was checked):
   * every token goes back, in one round trip. Best effort: a lost give-back leaves one token used.
   */
  async undecided(): Promise<void> {
    if (this.tokens.length === 0) return
    const pipeline = this.redis.pipeline()
    for (const token of this.tokens) pipeline.incrby(windowKey(token, token.window), -1)
    await pipeline.exec().catch(() => {})
  }
}

export type Verdict = { allowed: true; attempt: Attempt } | { allowed: false; retryAfter: number }

/**
 * Takes one token from every limit at once (one auto-pipelined round trip): parallel guesses
 * cannot all pass a check made before any of them is counted. A refused attempt counts nowhere.
 */
export async function reserve({ redis, checks }: Throttle): Promise<Verdict> {
  const results = await Promise.all(checks.map((check) => check.limit.ratelimit.limit(check.id)))
  const tokens: Token[] = []
  let reset = 0
  results.forEach((result, i) => {
    const check = checks[i] as Check
    if (result.success) tokens.push({ check, window: result.reset / check.limit.windowMs - 1 })
    else reset = Math.max(reset, result.reset)
  })
  const attempt = new Attempt(redis, tokens)
  if (tokens.length === checks.length) return { allowed: true, attempt }
  await attempt.undecided()
  return { allowed: false, retryAfter: Math.max(1, Math.ceil((reset - Date.now()) / 1000)) }
}

/**
 * Reserves while `work` (the lookup of the account) runs, so the throttle adds no round trip.
 * Refused: 429. If `work` fails, the attempt was never decided and its tokens go back.
 */
export async function reserveAlongside<T>(
  throttle: Throttle,
  work: Promise<T>
): Promise<[Attempt, T]> {
  const [verdict, outcome] = await Promise.allSettled([reserve(throttle), work])
  if (verdict.status === 'rejected') throw verdict.reason
  if (!verdict.value.allowed)
    throw new AppError('throttled', { retryAfter: verdict.value.retryAfter })
  if (outcome.status === 'rejected') {
    await verdict.value.attempt.undecided()
    throw outcome.reason
  }
  return [verdict.value.attempt, outcome.value]
}
