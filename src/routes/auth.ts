import { Hono } from 'hono/tiny'
import { hashPassword, verifyPassword } from '../auth/password'
import { checkLimits, throttles } from '../auth/throttle'
import { EmailTakenError, findUserByEmail, insertUser, updatePasswordHash } from '../db/users'
import type { AppEnv } from '../env'
import { AppError } from '../errors'
import { redirectFormErrors, throttled } from '../http/form-errors'
import { readInput } from '../http/input'
import { seeOther, wantsHtml } from '../http/negotiate'
import { LoginInput, RegisterInput } from '../http/schemas'
import { log } from '../middleware/log'
import { deviceLabel } from '../session/device'
import { beginSession, sessionPolicy } from '../session/middleware'
import { startSession } from '../session/sessions'

const clientAddress = (header: string | undefined) => header ?? 'unknown'

/** Neither route reads the current session; login ends it blindly in its session pipeline. */
export const authRoutes = new Hono<AppEnv>()
  .post('/register', redirectFormErrors('/'), async (c) => {
    const input = await readInput(c, RegisterInput)
    const limits = throttles(c.get('redis').write, c.get('config'))
    const address = clientAddress(c.req.header('cf-connecting-ip'))
    const verdict = await checkLimits([[limits.registerAddress, address]])
    if (!verdict.allowed) throw throttled(verdict.retryAfter)
    const passwordHash = await hashPassword(input.user_password)
    try {
      await insertUser(c.get('db').write, {
        name: input.user_name,
        email: input.user_email,
        passwordHash,
      })
    } catch (error) {
      if (error instanceof EmailTakenError) {
        throw new AppError(409, 'email_taken', 'This email is already registered.')
      }
      throw error
    }
    if (wantsHtml(c)) return seeOther(c, '/?notice=registered')
    return c.json({ error: false, message: 'Registered successfully.' }, 201)
  })
  .post('/login', redirectFormErrors('/'), async (c) => {
    const input = await readInput(c, LoginInput)
    const { redis, db, config } = c.var
    const limits = throttles(redis.write, config)
    const address = clientAddress(c.req.header('cf-connecting-ip'))
    const verdict = await checkLimits([
      [limits.loginAccount, input.user_email],
      [limits.loginAddress, address],
    ])
    if (!verdict.allowed) throw throttled(verdict.retryAfter)

    const user = await findUserByEmail(db.read, input.user_email)
    const check = await verifyPassword(input.user_password, user?.passwordHash)
    if (!user || !check.ok) throw new AppError(401, 'invalid_login', 'Wrong email or password.')
    if (check.needsRehash) {
      await updatePasswordHash(db.write, user.id, await hashPassword(input.user_password))
    }

    await beginSession(c, user.id, (idHash) =>
      Promise.all([
        startSession(
          redis.write,
          sessionPolicy(config),
          idHash,
          { id: user.id, name: user.name, email: user.email },
          deviceLabel(c.req.header('user-agent')),
          { replaces: c.get('sessionCookie')?.idHash }
        ),
        // Best effort: a lost reset only leaves used attempts in the window. Failing the login for
        // it would drop the new session and, since the old one has ended, log the user out.
        limits.loginAccount
          .resetUsedTokens(input.user_email)
          .catch((error) =>
            log(c, 'warn', { event: 'throttle_reset_failed', error: String(error) })
          ),
      ])
    )
    if (wantsHtml(c)) return seeOther(c, '/home')
    return c.json({ error: false, message: 'Login success.' })
  })
