import type { Redis } from '@upstash/redis/cloudflare'
import type { Session } from 'hono-sessions'
import type { ReadWrite } from './backends/handles'
import type { Databases } from './backends/planetscale'
import type { Bindings, Config } from './env'
import type { SessionCookie } from './session/cookie'
import type { SessionUser } from './session/sessions'

/**
 * Where a session is read: `nearby` is the read region when there are replicas (a revoked session
 * lives on there for the replica lag); `primary` shows revocation at once.
 */
export type SessionSource = 'nearby' | 'primary'

/** Read variables with c.get(name): Hono's c.var copies all of them into a new object each time. */
export interface AppEnv {
  Bindings: Bindings
  Variables: {
    requestId: string
    config: Config
    redis: ReadWrite<Redis>
    db: Databases
    /** The verified session cookie; null when there is none or it is not ours. */
    sessionCookie: SessionCookie | null
    /** Reads the session on the first call (see session/middleware.ts). */
    loadSession: (where?: SessionSource) => Promise<Session | null>
    /** Set by requireUser. */
    user: SessionUser
  }
}
