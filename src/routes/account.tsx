import { Hono } from 'hono/tiny'
import { hashPassword, verifyPassword } from '../auth/password'
import { checkLimits, throttles } from '../auth/throttle'
import { findUserById, updatePasswordHash } from '../db/users'
import type { AppEnv } from '../env'
import { AppError } from '../errors'
import { redirectFormErrors, throttled } from '../http/form-errors'
import { readInput } from '../http/input'
import { seeOther, wantsHtml } from '../http/negotiate'
import { PasswordChangeInput, RevokeInput } from '../http/schemas'
import { notLoggedIn, requireUser } from '../middleware/require-user'
import { deviceLabel } from '../session/device'
import {
  beginSession,
  clearSessionCookie,
  readWhileCheckingSession,
  sessionPolicy,
} from '../session/middleware'
import { endAllSessions, listSessions, revokeSession, startSession } from '../session/sessions'
import { AccountPage } from '../views/account-page'
import { pageMessages } from '../views/messages'

// The page checks its session itself, alongside its read; the forms below need the user first.
export const accountRoutes = new Hono<AppEnv>()
  .get('/account', async (c) => {
    const policy = sessionPolicy(c.get('config'))
    const redis = c.get('redis').read
    const found = await readWhileCheckingSession(c, (userId) => listSessions(redis, policy, userId))
    if (!found) return notLoggedIn(c)
    const currentIdHash = c.get('sessionCookie')?.idHash
    const sessions = found.result
    if (!wantsHtml(c)) {
      return c.json({
        error: false,
        message: sessions.map((session) => ({
          ...session,
          current: session.idHash === currentIdHash,
        })),
      })
    }
    return c.html(
      <AccountPage
        user={found.user}
        sessions={sessions}
        currentIdHash={currentIdHash}
        {...pageMessages(c.req.query())}
      />
    )
  })
  .post('/account/sessions/revoke', requireUser, redirectFormErrors('/account'), async (c) => {
    const input = await readInput(c, RevokeInput)
    const revoked = await revokeSession(c.get('redis').write, c.get('user').id, input.session)
    if (!revoked) throw new AppError(404, 'invalid_session', 'That session no longer exists.')
    if (wantsHtml(c)) return seeOther(c, '/account?notice=revoked')
    return c.json({ error: false, message: 'Session logged out.' })
  })
  .post('/account/logout-everywhere', requireUser, async (c) => {
    await endAllSessions(c.get('redis').write, c.get('user').id)
    clearSessionCookie(c)
    if (wantsHtml(c)) return seeOther(c, '/?notice=everywhere')
    return c.json({ error: false, message: 'Logged out everywhere.' })
  })
  .post('/account/password', requireUser, redirectFormErrors('/account'), async (c) => {
    const input = await readInput(c, PasswordChangeInput)
    const { redis, db, config, user } = c.var
    const limits = throttles(redis.write, config)
    const verdict = await checkLimits([[limits.loginAccount, user.email]])
    if (!verdict.allowed) throw throttled(verdict.retryAfter)

    const stored = await findUserById(db.read, user.id)
    const check = await verifyPassword(input.current_password, stored?.passwordHash)
    if (!stored || !check.ok) {
      throw new AppError(403, 'wrong_password', 'Your current password is not correct.')
    }
    await updatePasswordHash(db.write, user.id, await hashPassword(input.new_password))
    // Every session ends, this one included; this device continues with a fresh ID.
    await beginSession(c, user.id, (idHash) =>
      startSession(
        redis.write,
        sessionPolicy(config),
        idHash,
        user,
        deviceLabel(c.req.header('user-agent')),
        { endAllOthers: true }
      )
    )
    if (wantsHtml(c)) return seeOther(c, '/account?notice=password_changed')
    return c.json({ error: false, message: 'Password changed.' })
  })
