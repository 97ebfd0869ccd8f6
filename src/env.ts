import * as v from 'valibot'

const seconds = (fallback: number) =>
  v.pipe(v.optional(v.string(), String(fallback)), v.transform(Number), v.integer(), v.minValue(1))

const EnvSchema = v.object({
  SESSION_SECRET: v.pipe(
    v.string(),
    v.minLength(32, 'SESSION_SECRET must have at least 32 characters')
  ),
  UPSTASH_REDIS_REST_URL: v.pipe(v.string(), v.url()),
  UPSTASH_REDIS_REST_TOKEN: v.pipe(v.string(), v.minLength(1)),
  DATABASE_URL: v.pipe(v.string(), v.url()),
  /**
   * A PlanetScale read-only region near the Worker. Set, the app reads from the replicas (this
   * one, and Upstash's read region through the same Upstash URL); unset, everything goes to the
   * primaries (see docs/replicas.md).
   */
  DATABASE_REPLICA_URL: v.optional(v.union([v.literal(''), v.pipe(v.string(), v.url())])),
  /**
   * With replicas: for this long after a browser's last write to PlanetScale, its reads go to the
   * primary. Keep it well above the replica lag: PlanetScale has no token to wait on.
   */
  READ_PRIMARY_AFTER_WRITE_MS: seconds(3000),
  SESSION_IDLE_SECONDS: seconds(30 * 60),
  SESSION_ABSOLUTE_SECONDS: seconds(24 * 60 * 60),
  /** Live sessions per user: a login beyond this many ends the oldest. */
  SESSIONS_PER_USER: seconds(50),
  /** Failed password guesses per window: for one account from one address (strict), */
  LOGIN_LIMIT_PER_ACCOUNT_ADDRESS: seconds(5),
  /** for one account from anywhere (distributed guessing), */
  LOGIN_LIMIT_PER_ACCOUNT: seconds(50),
  /** and from one address across accounts. */
  LOGIN_LIMIT_PER_ADDRESS: seconds(100),
  LOGIN_LIMIT_WINDOW_SECONDS: seconds(15 * 60),
  /** Sign-ups per address in the same window, successful or not. */
  REGISTER_LIMIT_PER_ADDRESS: seconds(100),
  /** Longest wait for one Upstash or PlanetScale call. */
  BACKEND_TIMEOUT_MS: seconds(2500),
  /** Longest time a request spends on backend calls in all: it answers (503 at worst) by then. */
  REQUEST_BUDGET_MS: seconds(5000),
})

export type Bindings = v.InferInput<typeof EnvSchema>
export type Config = v.InferOutput<typeof EnvSchema>

/** Reads may be served by replicas (an empty DATABASE_REPLICA_URL counts as none). */
export const hasReplicas = (config: Config) => Boolean(config.DATABASE_REPLICA_URL)

const parsed = new WeakMap<object, Config>()

/** Validates the bindings once per env object; throws a readable message listing what is wrong. */
export function loadConfig(env: Bindings): Config {
  const cached = parsed.get(env)
  if (cached) return cached
  const result = v.safeParse(EnvSchema, env)
  if (!result.success) {
    const problems = result.issues.map((issue) => `${v.getDotPath(issue) ?? '?'}: ${issue.message}`)
    throw new Error(`invalid environment: ${problems.join('; ')}`)
  }
  parsed.set(env, result.output)
  return result.output
}
