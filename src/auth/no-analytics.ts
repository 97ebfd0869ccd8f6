/**
 * Stands in for @upstash/core-analytics (wrangler.toml [alias]): @upstash/ratelimit imports it
 * unconditionally but uses it only with `analytics: true`, which the throttle never sets.
 */
export class Analytics {
  constructor() {
    throw new Error('@upstash/ratelimit analytics are not bundled')
  }
}
