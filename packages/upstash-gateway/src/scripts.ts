import { createHash } from 'node:crypto'

// Upstash accepts `#!lua flags=allow-key-locking` (used by @upstash/ratelimit >= 2.1), stock Redis
// 7 rejects unknown flags. PROTOCOL.md §8: drop the unknown flags, keep line numbers, and translate
// the client's hashes (computed over the original text) to the hashes of what Redis actually ran.

const REDIS_FLAGS = new Set([
  'no-writes',
  'allow-oom',
  'allow-stale',
  'no-cluster',
  'allow-cross-slot-keys',
])
const MAX_CACHED = 1000

interface Normalized {
  script: string
  /** sha1 of the client's text, set only when the script was rewritten. */
  originalSha?: string
}

export class ScriptRegistry {
  /** sha1(original) -> sha1(rewritten) */
  private readonly aliases = new Map<string, string>()
  private readonly cache = new Map<string, Normalized>()

  /** Returns the text to send to Redis, recording the hash alias when it differs. */
  normalize(script: string): Normalized {
    if (!script.startsWith('#!')) return { script }
    const cached = this.cache.get(script)
    if (cached) return cached
    if (this.cache.size >= MAX_CACHED) {
      // Forgetting costs a client one NOSCRIPT -> EVAL fallback, nothing more.
      this.cache.clear()
      this.aliases.clear()
    }
    const rewritten = rewriteShebang(script)
    const result: Normalized = { script: rewritten }
    if (rewritten !== script) {
      result.originalSha = sha1(script)
      this.aliases.set(result.originalSha, sha1(rewritten))
    }
    this.cache.set(script, result)
    return result
  }

  /**
   * Maps a client hash to the hash Redis knows; unknown hashes pass through (Redis says NOSCRIPT).
   */
  resolveSha(sha: string): string {
    return this.aliases.get(sha.toLowerCase()) ?? sha
  }
}

export function rewriteShebang(script: string): string {
  const eol = script.indexOf('\n')
  const line = eol < 0 ? script : script.slice(0, eol)
  const rest = eol < 0 ? '' : script.slice(eol)
  const parts = line.replace(/\r$/, '').split(' ')
  if (parts[0] !== '#!lua') return script
  let changed = false
  const kept: string[] = [parts[0]]
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) {
      kept.push(part)
      continue
    }
    const flags = part.slice(6).split(',')
    const known = flags.filter((flag) => REDIS_FLAGS.has(flag))
    if (known.length === flags.length) {
      kept.push(part)
      continue
    }
    changed = true
    if (known.length > 0) kept.push(`flags=${known.join(',')}`)
  }
  if (!changed) return script
  if (kept.length === 1) {
    // Nothing Redis understands is left: comment the line out so line numbers stay the same.
    return `--${line}${rest}`
  }
  return `${kept.join(' ')}${rest}`
}

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex')
}
