import type { Context } from 'hono'
import type * as v from 'valibot'
import type { AppEnv } from '../app-env'
import { hashPassword, passwordVersion, verifyPassword } from '../auth/password'
import { reserve, reserveAlongside, throttles } from '../auth/throttle'
import type { Db } from '../backends/planetscale'
import { DuplicateKeyError } from '../db/sql'
import {
  findUserByEmail,
  findUserByRegistrationKey,
  insertUser,
  updatePasswordHash,
} from '../db/users'
import { AppError } from '../errors'
import { newApp } from '../http/app'
import { clientAddress } from '../http/client-address'
import { idempotencyKey, readInput } from '../http/input'
import { seeOther, wantsHtml } from '../http/negotiate'
import { LoginInput, RegisterInput } from '../http/schemas'
import { log } from '../log'
import { renderFormErrors } from '../middleware/form-errors'
import { beginSession } from '../session/access'
import { deviceLabel } from '../session/device'
import { sessionPolicy } from '../session/policy'
import { startSession } from '../session/sessions'
import { startPageWith } from './pages'

type SignUp = v.InferOutput<typeof RegisterInput>

/**
 * A sign-up whose unique index said no. The same sign-up again under its idempotency key (its
 * first answer was lost) is answered as the first time: the account's id; the key with other data
 * is a client error; otherwise the email is taken.
 */
async function earlierSignUp(db: Db, input: SignUp, key: string | undefined): Promise<string> {
  const earlier = key === undefined ? null : await findUserByRegistrationKey(db, key)
  if (!earlier) throw new AppError('email_taken')
  const same =
    earlier.email === input.user_email &&
    earlier.name === input.user_name &&
    (await verifyPassword(input.user_password, earlier.passwordHash)).ok
  if (!same) throw new AppError('idempotency_key_reused')
  return earlier.id
}

/** A failed upgrade of the stored hash must not fail the login: the next login tries again. */
async function upgradeHash(c: Context<AppEnv>, userId: string, password: string) {
  try {
    await updatePasswordHash(c.get('db').write, userId, await hashPassword(password))
  } catch (error) {
    log(c, 'warn', { event: 'hash_upgrade_failed', error: String(error) })
  }
}

/**
 * Neither route reads the current session; a login, or a browser's sign-up, ends it blindly in
 * its session pipeline.
 */
export const authRoutes = newApp()
  .post('/register', renderFormErrors(startPageWith('signup')), async (c) => {
    const input = await readInput(c, RegisterInput)
    const key = idempotencyKey(c, input.idempotency_key)
    const db = c.get('db')
    const throttle = throttles(c.get('redis').write, c.get('config'))
    const reserving = reserve(throttle.registration(clientAddress(c)))
    reserving.catch(() => {}) // awaited below; a failure while hashing must not go unhandled
    // Hashing holds the isolate's thread: first let the throttle's request leave, so that its
    // round trip and the hash overlap.
    await scheduler.wait(0)
    const passwordHash = await hashPassword(input.user_password).catch(async (error) => {
      // Not done (this isolate is overloaded): the sign-up counts nowhere.
      const verdict = await reserving.catch(() => undefined)
      if (verdict?.allowed) await verdict.attempt.undecided()
      throw error
    })
    const verdict = await reserving
    if (!verdict.allowed) throw new AppError('throttled', { retryAfter: verdict.retryAfter })
    const user = { name: input.user_name, email: input.user_email, passwordHash }
    let userId: string
    try {
      userId = await insertUser(db.write, { ...user, registrationKey: key })
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error
      userId = await earlierSignUp(db.read, input, key)
    }
    if (!wantsHtml(c)) return c.json({ error: false, message: 'Registered successfully.' }, 201)
    // A browser goes on logged in, as after a login; API clients log in themselves.
    await beginSession(c, userId, (idHash) =>
      startSession(
        c.get('redis').write,
        sessionPolicy(c.get('config')),
        idHash,
        { id: userId, name: user.name, email: user.email },
        deviceLabel(c.req.header('user-agent')),
        { replaces: c.get('sessionCookie')?.idHash }
      )
    )
    return seeOther(c, '/home?notice=registered')
  })
  .post('/login', renderFormErrors(startPageWith('login')), async (c) => {
    const input = await readInput(c, LoginInput, 'invalid_login_input')
    const redis = c.get('redis')
    const config = c.get('config')
    const guess = throttles(redis.write, config).passwordGuess(input.user_email, clientAddress(c))
    const [attempt, user] = await reserveAlongside(
      guess,
      findUserByEmail(c.get('db').read, input.user_email)
    )
    const check = await attempt.unlessThrows(
      verifyPassword(input.user_password, user?.passwordHash)
    )
    // A failure keeps the tokens it took: that is what the limits count.
    if (!user || !check.ok) {
      await attempt.failed()
      throw new AppError('invalid_login')
    }

    await beginSession(c, user.id, async (idHash) => {
      const [started] = await Promise.all([
        startSession(
          redis.write,
          sessionPolicy(config),
          idHash,
          { id: user.id, name: user.name, email: user.email },
          deviceLabel(c.req.header('user-agent')),
          {
            replaces: c.get('sessionCookie')?.idHash,
            openedWith: passwordVersion(user.passwordHash),
            alsoInPipeline: (pipeline) => attempt.succeeded(pipeline),
          }
        ),
        check.needsRehash && upgradeHash(c, user.id, input.user_password),
      ])
      // The password was changed while this login checked it: no session.
      if (!started) throw new AppError('invalid_login')
    })
    if (wantsHtml(c)) return seeOther(c, '/home')
    return c.json({ error: false, message: 'Login success.' })
  })
