import type { Redis } from '@upstash/redis/cloudflare'
import type { SessionData, Store } from 'hono-sessions'
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
  sessionId: string
  idHash: string
  stored: StoredSession
}

export function isExpired(stored: StoredSession, policy: SessionPolicy, now = Date.now()): boolean {
  return now >= stored.createdAt + policy.absoluteSeconds * 1000
}

/**
 * hono-sessions store backed by Upstash, one instance per request.
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

  constructor(redis: Redis, policy: SessionPolicy) {
    this.redis = redis
    this.policy = policy
  }

  async getSessionById(sessionId?: string): Promise<SessionData | null> {
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
    this.loaded = { sessionId, idHash, stored }
    return stored.data
  }

  createSession(): void {
    if (this.readError) throw this.readError
  }

  async persistSessionData(sessionId: string, data: SessionData): Promise<void> {
    const loaded = this.current(sessionId)
    if (!loaded) return
    loaded.stored = { ...loaded.stored, data }
    await this.redis.set(sessionKey(loaded.idHash), loaded.stored, {
      xx: true,
      ex: this.policy.idleSeconds,
    })
  }

  async deleteSession(sessionId: string): Promise<void> {
    const loaded = this.current(sessionId)
    if (!loaded) return
    await this.redis
      .pipeline()
      .del(sessionKey(loaded.idHash))
      .srem(userSessionsKey(loaded.stored.user.id), loaded.idHash)
      .exec()
    this.loaded = null
  }

  private current(sessionId: string): LoadedSession | null {
    return this.loaded?.sessionId === sessionId ? this.loaded : null
  }
}
