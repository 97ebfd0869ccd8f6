/**
 * Stands in for ohash (wrangler.toml [alias]): hono-sessions hashes a session only to tell whether
 * it changed, when it is loaded as not new. The session middleware here loads every session as new
 * and compares its JSON itself (session/middleware.ts), so the hash is never computed.
 */
export function hash(): string {
  throw new Error('ohash is not bundled: load sessions with setCache(data, true)')
}
