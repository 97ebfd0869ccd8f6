import { Ratelimit } from '@upstash/ratelimit'
import type { Redis } from '@upstash/redis/cloudflare'
import { outsideBudget } from '../backends/budget'
import type { Config } from '../env'
import { AppError } from '../errors'
import { expectedWaitMs } from './hash-queue'
import { InFlight } from './in-flight'

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

/** An attempt's place among the in-flight attempts of its pair (see InFlight). */
interface Place {
  inFlight: InFlight
  /** others were in flight, or this one took the pair's last token: someone may wait on it */
  watched: boolean
}

/** The tokens one attempt holds: they stay taken if it fails, and come back otherwise. */
export class Attempt {
  private readonly redis: Redis
  private readonly tokens: Token[]
  private readonly place: Place | undefined

  constructor(redis: Redis, tokens: Token[], place: Place | undefined) {
    this.redis = redis
    this.tokens = tokens
    this.place = place
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
    this.place?.inFlight.leave(pipeline)
  }

  /** A wrong password: the tokens stay taken; attempts that may be waiting learn it is decided. */
  async failed(): Promise<void> {
    if (!this.place?.watched) return
    const pipeline = this.redis.pipeline()
    this.place.inFlight.leave(pipeline)
    await pipeline.exec().catch(() => {})
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
    if (this.tokens.length === 0 && !this.place) return
    const pipeline = this.redis.pipeline()
    for (const token of this.tokens) pipeline.incrby(windowKey(token, token.window), -1)
    this.place?.inFlight.leave(pipeline)
    await pipeline.exec().catch(() => {})
  }
}

export type Verdict = { allowed: true; attempt: Attempt } | { allowed: false; retryAfter: number }

/** How long an attempt may take to be decided beyond its wait for a turn to hash. */
const DECIDED_WITHIN_MS = 1000
/** Longest wait of a refused attempt for the attempts in flight before it to be decided. */
const MAX_WAIT_MS = 3000

/**
 * Takes one token from every limit at once (one auto-pipelined round trip): parallel guesses
 * cannot all pass a check made before any of them is counted. A refused attempt counts nowhere.
 * The tokens of attempts still in flight are not failures yet (a success gives its token back):
 * refused while attempts of its pair are in flight, an attempt waits for them to be decided and
 * tries again, so that a correct password is never refused because other correct ones were
 * being checked at the same time.
 */
export async function reserve(throttle: Throttle): Promise<Verdict> {
  for (let waitedMs = 0, pauseMs = 25; ; pauseMs = Math.min(2 * pauseMs, 200)) {
    const { verdict, othersInFlight } = await reserveOnce(throttle)
    if (verdict.allowed || othersInFlight === 0 || waitedMs >= MAX_WAIT_MS) return verdict
    // Waiting for other attempts is no backend being slow: it does not spend the budget.
    await outsideBudget(() => scheduler.wait(pauseMs))
    waitedMs += pauseMs
  }
}

async function reserveOnce({ redis, checks }: Throttle) {
  const pair = checks.find((check) => check.onSuccess === 'clear')
  const inFlight = pair && new InFlight(`${pair.limit.prefix}:${pair.id}`)
  const joining = inFlight?.join(redis, DECIDED_WITHIN_MS + expectedWaitMs())
  const limiting = Promise.all(checks.map((check) => check.limit.ratelimit.limit(check.id)))
  const [othersInFlight = 0, results] = await Promise.all([joining, limiting])
  const tokens: Token[] = []
  let reset = 0
  let lastToken = false
  results.forEach((result, i) => {
    const check = checks[i] as Check
    if (result.success) tokens.push({ check, window: result.reset / check.limit.windowMs - 1 })
    else reset = Math.max(reset, result.reset)
    if (check === pair && result.success && result.remaining === 0) lastToken = true
  })
  const place = inFlight && { inFlight, watched: othersInFlight > 0 || lastToken }
  const attempt = new Attempt(redis, tokens, place)
  if (tokens.length === checks.length) {
    return { verdict: { allowed: true, attempt } as Verdict, othersInFlight }
  }
  await attempt.undecided()
  const retryAfter = Math.max(1, Math.ceil((reset - Date.now()) / 1000))
  return { verdict: { allowed: false, retryAfter } as Verdict, othersInFlight }
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
