import type { Redis } from '@upstash/redis/cloudflare'
import type { SessionData } from 'hono-sessions'
import { legacySessionsKey, replacedPasswordsKey, sessionKey, userSessionsKey } from './keys'
import type { SessionPolicy } from './policy'
import {
  END_ALL_SESSIONS,
  END_SESSION,
  LIST_SESSIONS,
  LIST_SESSIONS_READ_ONLY,
  REVOKE_SESSION,
  START_SESSION,
} from './scripts'

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
/** Sessions of the older set index ended per call: the rest expire within a day anyway. */
const LEGACY_BOUND = 1000

export interface ActiveSession {
  idHash: string
  device: string
  createdAt: Date
  lastSeenAt: Date
}

export interface StartOptions {
  /** The key of the session this login replaces (fresh ID at login: the old one dies). */
  replaces?: string | undefined
  /**
   * Login: the version of the password it checked (passwordVersion); the session is refused if
   * a password change has replaced that password since.
   */
  openedWith?: string
  /**
   * Password change: end every session of the user first, and mark the replaced password (its
   * version; undefined when the stored one is already the new one) so that logins which checked
   * it before the change cannot store a session after it.
   */
  endAllOthers?: { replacedPassword: string | undefined }
  /** Adds the caller's own commands to the same round trip (a login's throttle reset). */
  alsoInPipeline?: (pipeline: ReturnType<Redis['pipeline']>) => void
}

const entry = <T>(value: T) => ({ value, flash: false })

/**
 * Creates the session `idHash` (its new cookie's key) for a user in one pipeline: one script
 * stores the entry and indexes it. Returns false when the session was refused (see openedWith).
 */
export async function startSession(
  redis: Redis,
  policy: SessionPolicy,
  idHash: string,
  user: SessionUser,
  device: string,
  options: StartOptions = {}
): Promise<boolean> {
  const now = Date.now()
  const data: SessionData = {
    _data: { user: entry(user), device: entry(device), createdAt: entry(now) },
    _expire: new Date(now + policy.absoluteSeconds * 1000).toISOString(),
    _delete: false,
    _accessed: null,
  }
  const pipeline = redis.pipeline()
  if (options.endAllOthers) {
    endAllInPipeline(pipeline, user.id, policy, options.endAllOthers.replacedPassword)
  }
  if (options.replaces) {
    pipeline.eval(END_SESSION, [sessionKey(options.replaces)], endSessionArgs(options.replaces))
  }
  const started = pipeline.length()
  pipeline.eval(
    START_SESSION,
    [sessionKey(idHash), userSessionsKey(user.id), replacedPasswordsKey(user.id)],
    [
      JSON.stringify(data),
      policy.idleSeconds,
      policy.absoluteSeconds + policy.idleSeconds,
      now,
      idHash,
      policy.perUser,
      options.openedWith ?? '',
      SESSION_PREFIX,
    ]
  )
  options.alsoInPipeline?.(pipeline)
  const results = await pipeline.exec()
  return results[started] === 1
}

function endAllInPipeline(
  pipeline: ReturnType<Redis['pipeline']>,
  userId: string,
  policy: SessionPolicy,
  replacedPassword = ''
) {
  pipeline.eval(
    END_ALL_SESSIONS,
    [userSessionsKey(userId), legacySessionsKey(userId), replacedPasswordsKey(userId)],
    [SESSION_PREFIX, replacedPassword, policy.replacedPasswordMs, LEGACY_BOUND]
  )
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
  const args = [SESSION_PREFIX, policy.perUser]
  const flat = await (nearby
    ? redis.evalRo<(string | number)[], unknown[]>(LIST_SESSIONS_READ_ONLY, keys, args)
    : redis.eval<(string | number)[], unknown[]>(LIST_SESSIONS, keys, args))
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

export async function endAllSessions(redis: Redis, policy: SessionPolicy, userId: string) {
  const pipeline = redis.pipeline()
  endAllInPipeline(pipeline, userId, policy)
  await pipeline.exec()
}
