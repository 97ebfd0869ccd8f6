// Shared by the Upstash gateway tests.

/** The Redis behind the gateway under test: the machine's own unless REDIS_URL says otherwise. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
