import type { Redis } from '@upstash/redis/cloudflare'
import type { Session } from 'hono-sessions'
import type { ReadWrite } from './backends/handles'
import type { Db } from './backends/planetscale'
import type { Bindings, Config } from './env'
import type { SessionCookie } from './session/cookie'
import type { SessionUser } from './session/sessions'

/** Read variables with c.get(name): Hono's c.var copies all of them into a new object each time. */
export interface AppEnv {
  Bindings: Bindings
  Variables: {
    requestId: string
    config: Config
    redis: ReadWrite<Redis>
    db: ReadWrite<Db>
    /** The verified session cookie; null when there is none or it is not ours. */
    sessionCookie: SessionCookie | null
    /** Reads the session on the first call (see session/middleware.ts). */
    loadSession: () => Promise<Session | null>
    /** Set by requireUser. */
    user: SessionUser
  }
}
