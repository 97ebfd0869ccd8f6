import type { Redis } from '@upstash/redis/cloudflare'
import type { SessionData, Store } from 'hono-sessions'
import type { ReadWrite } from '../backends/handles'
import { sessionKey } from './keys'
import type { SessionPolicy } from './policy'
import { endSession } from './sessions'

/**
 * hono-sessions store on Upstash. The library's session ID for this store is the session's key
 * (the cookie's signature, a keyed hash of the ID): the ID itself never reaches Redis. The value
 * under sess:<id-hash> is the library's SessionData as JSON, whose entries (arbitrary JSON)
 * include the user, the device and the creation time.
 * - A read is one GETEX that also refreshes the idle TTL; the absolute lifetime is the
 *   library's `_expire`, set once at login. With replicas (`refreshLater` given), GETEX would go
 *   to the primary: the read is GET and PTTL, which the read region answers, and the refresh, a
 *   write, leaves the critical path and runs only once less than half the idle timeout is left.
 * - Sessions are created at login only (sessions.ts), never for anonymous visitors:
 *   createSession() stores nothing.
 * - A failed read throws: the request answers 503, never "logged out".
 * - Writes use SET XX: a request still in flight when the session is deleted cannot resurrect it.
 */
export class UpstashSessionStore implements Store {
  private readonly redis: ReadWrite<Redis>
  private readonly policy: Pick<SessionPolicy, 'idleSeconds'>

  private readonly refreshLater: ((key: string) => void) | undefined

  constructor(
    redis: ReadWrite<Redis>,
    policy: Pick<SessionPolicy, 'idleSeconds'>,
    refreshLater?: (key: string) => void
  ) {
    this.redis = redis
    this.policy = policy
    this.refreshLater = refreshLater
  }

  async getSessionById(idHash?: string): Promise<SessionData | null> {
    if (!idHash) return null
    if (!this.refreshLater) return this.getSessionAtPrimary(idHash)
    const key = sessionKey(idHash)
    // Auto-pipelined: one request of two read-only commands.
    const [data, ttlMs] = await Promise.all([
      this.redis.read.get<SessionData>(key),
      this.redis.read.pttl(key),
    ])
    if (data && ttlMs < this.policy.idleSeconds * 500) this.refreshLater(key)
    return data
  }

  /** The session as the primary has it, refreshing the idle TTL: revocation shows at once. */
  getSessionAtPrimary(idHash: string): Promise<SessionData | null> {
    return this.redis.read.getex<SessionData>(sessionKey(idHash), { ex: this.policy.idleSeconds })
  }

  createSession(): void {}

  async persistSessionData(idHash: string, data: SessionData): Promise<void> {
    await this.redis.write.set(sessionKey(idHash), data, { xx: true, ex: this.policy.idleSeconds })
  }

  deleteSession(idHash: string): Promise<void> {
    return endSession(this.redis.write, idHash)
  }
}
