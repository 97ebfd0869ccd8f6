import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import { hashPassword, passwordVersion, verifyPassword } from '../auth/password'
import { reserveAlongside, throttles } from '../auth/throttle'
import { findUserById, updatePasswordHash } from '../db/users'
import { hasReplicas } from '../env'
import { AppError } from '../errors'
import { newApp } from '../http/app'
import { clientAddress } from '../http/client-address'
import { readInput } from '../http/input'
import { seeOther, wantsHtml } from '../http/negotiate'
import { PasswordChangeInput, RevokeInput } from '../http/schemas'
import { pageMessages } from '../messages'
import { type FormFailure, renderFormErrors } from '../middleware/form-errors'
import { notLoggedIn, requireLiveUser } from '../middleware/require-user'
import { beginSession, clearSessionCookie, readWhileCheckingSession } from '../session/access'
import { deviceLabel } from '../session/device'
import { sessionPolicy } from '../session/policy'
import { endAllSessions, listSessions, revokeSession, startSession } from '../session/sessions'
import { AccountPage } from '../views/account-page'

/** /account again after a refused form, that form as it was sent. */
const accountPageWith =
  (form: 'revoke' | 'password') => async (c: Context<AppEnv>, failure: FormFailure) => {
    const user = c.get('user')
    const policy = sessionPolicy(c.get('config'))
    const sessions = await listSessions(c.get('redis').read, policy, user.id)
    const currentIdHash = c.get('sessionCookie')?.idHash
    return c.html(
      <AccountPage
        user={user}
        sessions={sessions}
        currentIdHash={currentIdHash}
        revoke={form === 'revoke' ? failure : undefined}
        password={form === 'password' ? failure : undefined}
      />,
      failure.status
    )
  }
const revokeErrors = renderFormErrors(accountPageWith('revoke'))
const passwordErrors = renderFormErrors(accountPageWith('password'))

// The page checks its session itself, alongside its read; the forms below need the user first.
export const accountRoutes = newApp()
  .get('/account', async (c) => {
    const policy = sessionPolicy(c.get('config'))
    const redis = c.get('redis').read
    const nearby = hasReplicas(c.get('config'))
    const found = await readWhileCheckingSession(c, (userId) =>
      listSessions(redis, policy, userId, nearby)
    )
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
  .post('/account/sessions/revoke', requireLiveUser, revokeErrors, async (c) => {
    const input = await readInput(c, RevokeInput)
    const revoked = await revokeSession(c.get('redis').write, c.get('user').id, input.session)
    if (!revoked) throw new AppError('session_not_found')
    if (wantsHtml(c)) return seeOther(c, '/account?notice=revoked')
    return c.json({ error: false, message: 'Session logged out.' })
  })
  .post('/account/logout-everywhere', requireLiveUser, async (c) => {
    await endAllSessions(c.get('redis').write, sessionPolicy(c.get('config')), c.get('user').id)
    clearSessionCookie(c)
    if (wantsHtml(c)) return seeOther(c, '/?notice=everywhere')
    return c.json({ error: false, message: 'Logged out everywhere.' })
  })
  .post('/account/password', requireLiveUser, passwordErrors, async (c) => {
    const input = await readInput(c, PasswordChangeInput)
    const redis = c.get('redis')
    const db = c.get('db')
    const config = c.get('config')
    const user = c.get('user')
    // Guesses at the current password count with the login's.
    const guess = throttles(redis.write, config).passwordGuess(user.email, clientAddress(c))
    const [attempt, stored] = await reserveAlongside(guess, findUserById(db.read, user.id))
    if (!stored) throw new AppError('not_logged_in')
    const current = await attempt.unlessThrows(
      verifyPassword(input.current_password, stored.passwordHash)
    )
    // A retry of a change whose answer was lost: the new password is the stored one already.
    const done =
      !current.ok &&
      (await attempt.unlessThrows(verifyPassword(input.new_password, stored.passwordHash))).ok
    if (!current.ok && !done) {
      await attempt.failed()
      throw new AppError('wrong_password')
    }

    const newHash = done ? undefined : await attempt.unlessThrows(hashPassword(input.new_password))
    // The other sessions end before the new hash can be stored, so a write whose outcome is
    // unknown (its answer lost) can never leave them alive; the old password is marked replaced
    // at the same time, so logins that checked it cannot store a session after this. This device
    // goes on with a fresh ID, also when the write then fails: its old session has ended.
    await beginSession(c, user.id, (idHash) =>
      startSession(
        redis.write,
        sessionPolicy(config),
        idHash,
        user,
        deviceLabel(c.req.header('user-agent')),
        {
          endAllOthers: {
            replacedPassword: done ? undefined : passwordVersion(stored.passwordHash),
          },
          alsoInPipeline: (pipeline) => attempt.succeeded(pipeline),
        }
      )
    )
    if (newHash) await updatePasswordHash(db.write, user.id, newHash)
    if (wantsHtml(c)) return seeOther(c, '/account?notice=password_changed')
    return c.json({ error: false, message: 'Password changed.' })
  })
