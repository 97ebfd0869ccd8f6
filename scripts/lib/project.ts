import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository's root folder, whichever script asks. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** wrangler's CLI, run with this Node (no npx). */
export const WRANGLER_CLI = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')

/** wrangler without telemetry or lookups on Cloudflare's side (no network here). */
export const WRANGLER_ENV = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }
