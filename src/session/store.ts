import type { Redis } from '@upstash/redis/cloudflare'
import { decrypt, type SessionData, type Store } from 'hono-sessions'
import { hashSessionId, sessionKey, userSessionsKey } from './keys'

export interface SessionUser {
  id: string
  name: string
  email: string
}

/** The JSON value under sess:<id-hash>. `data` is hono-sessions' own record (arbitrary JSON values). */
export interface StoredSession {
  user: SessionUser
  createdAt: number
  device: string
  data: SessionData
}

export interface SessionPolicy {
  idleSeconds: number
  absoluteSeconds: number
}

interface LoadedSession {
  /** the sealed cookie value: hono-sessions' name for this session */
  sealed: string
  sessionId: string
  idHash: string
  stored: StoredSession
}

/** The session ID sealed in a cookie value; null when the value is tampered or foreign. */
export async function unsealSessionId(secret: string, sealed: string): Promise<string | null> {
  try {
    const value = await decrypt(secret, sealed)
    return typeof value === 'string' ? value : null
  } catch {
    return null
  }
}

export function isExpired(stored: StoredSession, policy: SessionPolicy, now = Date.now()): boolean {
  return now >= stored.createdAt + policy.absoluteSeconds * 1000
}

/**
 * hono-sessions store backed by Upstash, one instance per request.
 * - The library is given the cookie as it is (no encryptionKey): it would otherwise seal the ID
 *   again on every request for a Set-Cookie that is never sent. The store unseals it here; a
 *   tampered or foreign cookie is simply no session.
 * - A read is one GETEX that also refreshes the idle TTL.
 * - Sessions are created only at login (see sessions.ts), never for anonymous visitors:
 *   createSession() stores nothing.
 * - hono-sessions swallows read errors and would start a fresh session ("logged out"). The store
 *   remembers the failure and rethrows it from createSession(), which the library calls next and
 *   does not catch, so the request fails with 503 instead.
 * - Writes use SET XX: a request still in flight when the session is deleted cannot resurrect it.
 */
export class UpstashSessionStore implements Store {
  loaded: LoadedSession | null = null
  private readError: unknown = null
  private readonly redis: Redis
  private readonly policy: SessionPolicy
  private readonly secret: string

  constructor(redis: Redis, policy: SessionPolicy, secret: string) {
    this.redis = redis
    this.policy = policy
    this.secret = secret
  }

  async getSessionById(sealed?: string): Promise<SessionData | null> {
    if (!sealed) return null
    const sessionId = await unsealSessionId(this.secret, sealed)
    if (!sessionId) return null
    const idHash = await hashSessionId(sessionId)
    let stored: StoredSession | null
    try {
      stored = await this.redis.getex<StoredSession>(sessionKey(idHash), {
        ex: this.policy.idleSeconds,
      })
    } catch (error) {
      this.readError = error
      throw error
    }
    if (!stored?.user || isExpired(stored, this.policy)) return null
    this.loaded = { sealed, sessionId, idHash, stored }
    return stored.data
  }

  createSession(): void {
    if (this.readError) throw this.readError
  }

  async persistSessionData(sealed: string, data: SessionData): Promise<void> {
    const loaded = this.current(sealed)
    if (!loaded) return
    loaded.stored = { ...loaded.stored, data }
    await this.redis.set(sessionKey(loaded.idHash), loaded.stored, {
      xx: true,
      ex: this.policy.idleSeconds,
    })
  }

  async deleteSession(sealed: string): Promise<void> {
    const loaded = this.current(sealed)
    if (!loaded) return
    await this.redis
      .pipeline()
      .del(sessionKey(loaded.idHash))
      .srem(userSessionsKey(loaded.stored.user.id), loaded.idHash)
      .exec()
    this.loaded = null
  }

  private current(sealed: string): LoadedSession | null {
    return this.loaded?.sealed === sealed ? this.loaded : null
  }
}
