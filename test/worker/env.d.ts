declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../../src/index')
  }
  interface Env {
    SESSION_SECRET: string
    UPSTASH_REDIS_REST_URL: string
    UPSTASH_REDIS_REST_TOKEN: string
    DATABASE_URL: string
    DISTANT_UPSTASH_REDIS_REST_URL: string
    DISTANT_DATABASE_URL: string
  }
}
