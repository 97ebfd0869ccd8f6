import { RespError } from './resp.ts'
import type { ScriptRegistry } from './scripts.ts'

// Commands that would block a shared connection, change its state (database, transaction,
// subscription, protocol, auth), reach another key space or administer the server. Upstash does
// not offer them over REST either (spec §7).
const REFUSED = new Set([
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
  'monitor',
  'select',
  'multi',
  'exec',
  'discard',
  'watch',
  'unwatch',
  'blpop',
  'brpop',
  'blmove',
  'brpoplpush',
  'bzpopmin',
  'bzpopmax',
  'blmpop',
  'bzmpop',
  'wait',
  'waitaof',
  'client',
  'hello',
  'auth',
  'reset',
  'quit',
  'shutdown',
  'swapdb',
  'flushall',
  'move',
  'migrate',
  'debug',
  'config',
  'acl',
  'module',
  'sync',
  'psync',
  'replconf',
  'replicaof',
  'slaveof',
  'failover',
  'cluster',
  'readonly',
  'readwrite',
  'asking',
  'save',
  'bgsave',
  'bgrewriteaof',
])

export interface Prepared {
  /** What to send to Redis (script text and hashes possibly rewritten). */
  args: string[]
  /** Set when the gateway answers the command itself with this error. */
  refused?: RespError
  /** SCRIPT LOAD of a rewritten script: answer with the hash of the client's text. */
  loadSha?: string
}

export function prepare(args: string[], scripts: ScriptRegistry): Prepared {
  const name = (args[0] as string).toLowerCase()
  const refusal = refusalOf(name, args)
  if (refusal) return { args, refused: new RespError(refusal) }
  switch (name) {
    case 'eval':
    case 'eval_ro':
      if (args.length > 1) args[1] = scripts.normalize(args[1] as string).script
      return { args }
    case 'evalsha':
    case 'evalsha_ro':
      if (args.length > 1) args[1] = scripts.resolveSha(args[1] as string)
      return { args }
    case 'script':
      return prepareScript(args, scripts)
    default:
      return { args }
  }
}

function prepareScript(args: string[], scripts: ScriptRegistry): Prepared {
  const sub = args[1]?.toLowerCase()
  if (sub === 'load' && args.length === 3) {
    const normalized = scripts.normalize(args[2] as string)
    args[2] = normalized.script
    return normalized.originalSha ? { args, loadSha: normalized.originalSha } : { args }
  }
  if (sub === 'exists') {
    for (let i = 2; i < args.length; i++) args[i] = scripts.resolveSha(args[i] as string)
  }
  return { args }
}

function refusalOf(name: string, args: string[]): string | undefined {
  if (REFUSED.has(name)) {
    return `ERR Command is not available: '${name.toUpperCase()}'. Blocking, connection-state, cross-database and server administration commands are not supported by the REST API`
  }
  if ((name === 'xread' || name === 'xreadgroup') && hasOption(args, 'block', 1, 'streams')) {
    return `ERR Command is not available: '${name.toUpperCase()}' with BLOCK. Blocking commands are not supported by the REST API`
  }
  if (name === 'copy' && hasOption(args, 'db', 3)) {
    return `ERR Command is not available: 'COPY' with DB. Each token sees only its own database`
  }
  return undefined
}

/** Looks for an option word from index `from`, up to `stop` (where key names begin). */
function hasOption(args: string[], word: string, from: number, stop?: string): boolean {
  for (let i = from; i < args.length; i++) {
    const arg = (args[i] as string).toLowerCase()
    if (arg === word) return true
    if (arg === stop) return false
  }
  return false
}
