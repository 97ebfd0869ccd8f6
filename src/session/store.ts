import type { Redis } from '@upstash/redis/cloudflare'
import type { SessionData, Store } from 'hono-sessions'
import type { ReadWrite } from '../backend'
import { hashSessionId, sessionKey } from './keys'
import { endSession } from './sessions'

export interface SessionPolicy {
  idleSeconds: number
  absoluteSeconds: number
}

/**
 * hono-sessions store on Upstash: the value under sess:<id-hash> is the library's SessionData as
 * JSON, whose entries (arbitrary JSON) include the user, the device and the creation time.
 * - A read is one GETEX that also refreshes the idle TTL; the absolute lifetime is the
 *   library's `_expire`, set once at login.
 * - Sessions are created at login only (sessions.ts), never for anonymous visitors:
 *   createSession() stores nothing.
 * - A failed read throws: the request answers 503, never "logged out".
 * - Writes use SET XX: a request still in flight when the session is deleted cannot resurrect it.
 */
export class UpstashSessionStore implements Store {
  private readonly redis: ReadWrite<Redis>
  private readonly policy: SessionPolicy

  constructor(redis: ReadWrite<Redis>, policy: SessionPolicy) {
    this.redis = redis
    this.policy = policy
  }

  async getSessionById(sessionId?: string): Promise<SessionData | null> {
    if (!sessionId) return null
    const key = sessionKey(await hashSessionId(sessionId))
    return this.redis.read.getex<SessionData>(key, { ex: this.policy.idleSeconds })
  }

  createSession(): void {}

  async persistSessionData(sessionId: string, data: SessionData): Promise<void> {
    const key = sessionKey(await hashSessionId(sessionId))
    await this.redis.write.set(key, data, { xx: true, ex: this.policy.idleSeconds })
  }

  deleteSession(sessionId: string): Promise<void> {
    return endSession(this.redis.write, sessionId)
  }
}
