import { scopeChannels } from './channels.ts'
import { type Arg, type Reply, RespError, text } from './resp.ts'
import type { ScriptRegistry } from './scripts.ts'

// Commands that would block a shared connection, change its state (database, transaction,
// subscription, protocol, auth), reach another key space or administer the server. Upstash does
// not offer them over REST either; subscriptions and MONITOR have their own streaming endpoints.
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
  args: Arg[]
  /** Set when the gateway answers the command itself (a refusal is a RespError). */
  local?: Reply
  /** SCRIPT LOAD of a rewritten script: answer with the hash of the client's text. */
  loadSha?: string
  /** COPY, checked to stay in the database: runs as the token's copy user (tenant-user.ts). */
  copy?: true
  /** Rewrites Redis's reply for the client (channel names without the token's prefix). */
  mapReply?: (reply: Reply) => Reply
}

/** `db` is the token's database: its pub/sub channels are its own (channels.ts). */
export function prepare(args: Arg[], scripts: ScriptRegistry, db: number): Prepared {
  const name = text(args[0]).toLowerCase()
  const refusal = refusalOf(name, args)
  if (refusal) return { args, local: new RespError(refusal) }
  switch (name) {
    case 'publish':
    case 'spublish':
    case 'pubsub': {
      const scoped = scopeChannels(name, args, db)
      if (scoped.refusal) return { args, local: new RespError(scoped.refusal) }
      return { args: scoped.args, mapReply: scoped.mapReply }
    }
    case 'client':
      return { args, local: clientSetinfo(args) }
    case 'copy':
      // Upstash answers 0 (nothing copied) for a key copied onto itself; Redis 7 refuses it.
      if (args.length >= 3 && args.length <= 4 && text(args[1]) === text(args[2])) {
        if (args.length === 3 || text(args[3]).toLowerCase() === 'replace')
          return { args, local: 0 }
      }
      return { args, copy: true }
    case 'flushall':
      // A token's database is its whole world, as an Upstash database is: FLUSHALL empties only
      // that (ASYNC and SYNC work as Redis takes them).
      return { args: ['FLUSHDB', ...args.slice(1)] }
    case 'eval':
    case 'eval_ro':
      if (args.length > 1) args[1] = scripts.normalize(text(args[1])).script
      return { args }
    case 'evalsha':
    case 'evalsha_ro':
      if (args.length > 1) args[1] = scripts.resolveSha(text(args[1]))
      return { args }
    case 'script':
      return prepareScript(args, scripts)
    case 'scan':
      return { args: scanWithType(args) ?? args }
    default:
      return { args }
  }
}

function prepareScript(args: Arg[], scripts: ScriptRegistry): Prepared {
  const sub = text(args[1]).toLowerCase()
  if (sub === 'load' && args.length === 3) {
    const normalized = scripts.normalize(text(args[2]))
    args[2] = normalized.script
    return normalized.originalSha ? { args, loadSha: normalized.originalSha } : { args }
  }
  if (sub === 'exists') {
    for (let i = 2; i < args.length; i++) args[i] = scripts.resolveSha(text(args[i]))
  }
  return { args }
}

// SCAN … WITHTYPE is an Upstash extension (the client's scan({ withType: true })): keys come back
// interleaved with their types. Redis does not know it, so a script does SCAN, then TYPE per key.
const SCAN_WITH_TYPE = `local r = redis.call('SCAN', unpack(ARGV))
local out = {}
for _, key in ipairs(r[2]) do
  out[#out + 1] = key
  out[#out + 1] = redis.call('TYPE', key).ok
end
return {r[1], out}`

function scanWithType(args: Arg[]): Arg[] | undefined {
  const rest = [args[1] as Arg]
  let found = false
  for (let i = 2; i < args.length; i++) {
    const arg = args[i] as Arg
    const option = text(arg).toLowerCase()
    if (option === 'withtype') {
      found = true
      continue
    }
    rest.push(arg)
    // MATCH, COUNT and TYPE take a value, which may itself read "withtype".
    if ((option === 'match' || option === 'count' || option === 'type') && i + 1 < args.length) {
      rest.push(args[++i] as Arg)
    }
  }
  // EVAL_RO: it only reads, so a replica may answer it too.
  return found ? ['EVAL_RO', SCAN_WITH_TYPE, '0', ...rest] : undefined
}

// CLIENT SETINFO (exposed by the client as clientSetinfo()) labels a connection; ours are shared,
// and Redis 7.0 lacks it, so the gateway acknowledges it itself.
function clientSetinfo(args: Arg[]): Reply {
  const attribute = text(args[2]).toLowerCase()
  if (args.length !== 4)
    return new RespError("ERR wrong number of arguments for 'client|setinfo' command")
  if (attribute !== 'lib-name' && attribute !== 'lib-ver') return new RespError('ERR syntax error')
  return 'OK'
}

function refusalOf(name: string, args: Arg[]): string | undefined {
  if (name === 'client' && text(args[1]).toLowerCase() === 'setinfo') return undefined
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
function hasOption(args: Arg[], word: string, from: number, stop?: string): boolean {
  for (let i = from; i < args.length; i++) {
    const arg = text(args[i]).toLowerCase()
    if (arg === word) return true
    if (arg === stop) return false
  }
  return false
}
