import type { Redis } from '@upstash/redis/cloudflare'
import type { SessionData } from 'hono-sessions'
import { sessionKey, userSessionsKey } from './keys'
import type { SessionPolicy } from './policy'

export interface SessionUser {
  id: string
  name: string
  email: string
}

/** The session entries the app itself keeps (hono-sessions' `_data`). */
interface AppEntries {
  user: SessionUser
  device: string
  /** ms since the epoch */
  createdAt: number
}

const SESSION_PREFIX = sessionKey('')
const [INDEX_PREFIX = '', INDEX_SUFFIX = ''] = userSessionsKey('\n').split('\n')

// Logout knows only the session ID, not the user: one script deletes the entry and its index
// membership in a single round trip (the index key comes from the stored value).
const END_SESSION = `
local value = redis.call('GET', KEYS[1])
if not value then return 0 end
redis.call('DEL', KEYS[1])
local ok, session = pcall(cjson.decode, value)
if ok and type(session) == 'table' and type(session._data) == 'table'
  and type(session._data.user) == 'table' and type(session._data.user.value) == 'table' then
  redis.call('SREM', ARGV[1] .. tostring(session._data.user.value.id) .. ARGV[2], ARGV[3])
end
return 1`

// The index and its entries in one round trip; members whose entry expired are pruned, except
// by the read-only form (EVAL_RO, which a read region answers).
const listSessionsScript = (prune: boolean) => `
local out = {}
for _, idHash in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. idHash
  local value = redis.call('GET', key)
  if value then
    table.insert(out, idHash)
    table.insert(out, value)
    table.insert(out, redis.call('PTTL', key))
  ${prune ? "else redis.call('SREM', KEYS[1], idHash)" : ''}
  end
end
return out`
const LIST_SESSIONS = listSessionsScript(true)
const LIST_SESSIONS_READ_ONLY = listSessionsScript(false)

// Only a member of the caller's own index can be revoked.
const REVOKE_SESSION = `
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[2])
return 1`

const END_ALL_SESSIONS = `
local members = redis.call('SMEMBERS', KEYS[1])
for _, idHash in ipairs(members) do redis.call('DEL', ARGV[1] .. idHash) end
redis.call('DEL', KEYS[1])
return #members`

export interface ActiveSession {
  idHash: string
  device: string
  createdAt: Date
  lastSeenAt: Date
}

export interface StartOptions {
  /** The key of the session this login replaces (fresh ID at login: the old one dies). */
  replaces?: string | undefined
  /** End every session of the user first (password change). */
  endAllOthers?: boolean
  /** Adds the caller's own commands to the same round trip (a login's throttle reset). */
  alsoInPipeline?: (pipeline: ReturnType<Redis['pipeline']>) => void
}

const entry = <T>(value: T) => ({ value, flash: false })

/**
 * Creates the session `idHash` (its new cookie's key) for a user in one pipeline: entry, index
 * membership, index expiry.
 */
export async function startSession(
  redis: Redis,
  policy: SessionPolicy,
  idHash: string,
  user: SessionUser,
  device: string,
  options: StartOptions = {}
): Promise<void> {
  const index = userSessionsKey(user.id)
  const now = Date.now()
  const data: SessionData = {
    _data: { user: entry(user), device: entry(device), createdAt: entry(now) },
    _expire: new Date(now + policy.absoluteSeconds * 1000).toISOString(),
    _delete: false,
    _accessed: null,
  }
  const pipeline = redis.pipeline()
  if (options.endAllOthers) pipeline.eval(END_ALL_SESSIONS, [index], [SESSION_PREFIX])
  if (options.replaces) {
    pipeline.eval(END_SESSION, [sessionKey(options.replaces)], endSessionArgs(options.replaces))
  }
  pipeline
    .set(sessionKey(idHash), data, { nx: true, ex: policy.idleSeconds })
    .sadd(index, idHash)
    .expire(index, policy.absoluteSeconds + policy.idleSeconds)
  options.alsoInPipeline?.(pipeline)
  await pipeline.exec()
}

const endSessionArgs = (idHash: string) => [INDEX_PREFIX, INDEX_SUFFIX, idHash]

/** Logout: deletes the session and its index entry without reading it first. */
export async function endSession(redis: Redis, idHash: string): Promise<void> {
  await redis.eval(END_SESSION, [sessionKey(idHash)], endSessionArgs(idHash))
}

/** The app's entries of a stored session; null when the value is not one of ours. */
export function appEntries(data: SessionData | null | undefined): AppEntries | null {
  const entries = data?._data
  const user = entries?.user?.value as SessionUser | undefined
  if (typeof user?.id !== 'string') return null
  return {
    user,
    device: String(entries?.device?.value ?? ''),
    createdAt: Number(entries?.createdAt?.value ?? 0),
  }
}

/** The user's live sessions, most recently seen first; `nearby`: as the read region has them. */
export async function listSessions(
  redis: Redis,
  policy: SessionPolicy,
  userId: string,
  nearby = false
): Promise<ActiveSession[]> {
  const keys = [userSessionsKey(userId)]
  const flat = await (nearby
    ? redis.evalRo<string[], unknown[]>(LIST_SESSIONS_READ_ONLY, keys, [SESSION_PREFIX])
    : redis.eval<string[], unknown[]>(LIST_SESSIONS, keys, [SESSION_PREFIX]))
  const now = Date.now()
  const sessions: ActiveSession[] = []
  for (let i = 0; i + 2 < flat.length; i += 3) {
    const value = flat[i + 1]
    const data = (typeof value === 'string' ? JSON.parse(value) : value) as SessionData
    const entries = appEntries(data)
    if (!entries || (data._expire && Date.parse(data._expire) <= now)) continue
    const ttlMs = Number(flat[i + 2])
    // Reads refresh the TTL to the idle timeout, so the time since the last refresh is idle - ttl.
    const lastSeen = Math.max(entries.createdAt, now - (policy.idleSeconds * 1000 - ttlMs))
    sessions.push({
      idHash: String(flat[i]),
      device: entries.device,
      createdAt: new Date(entries.createdAt),
      lastSeenAt: new Date(lastSeen),
    })
  }
  return sessions.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime())
}

/** Returns false when the hash is not one of the user's sessions. */
export async function revokeSession(redis: Redis, userId: string, idHash: string) {
  const removed = await redis.eval<string[], number>(
    REVOKE_SESSION,
    [userSessionsKey(userId), sessionKey(idHash)],
    [idHash]
  )
  return removed === 1
}

export async function endAllSessions(redis: Redis, userId: string): Promise<number> {
  return redis.eval<string[], number>(END_ALL_SESSIONS, [userSessionsKey(userId)], [SESSION_PREFIX])
}
