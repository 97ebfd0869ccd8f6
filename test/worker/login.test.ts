import { env } from 'cloudflare:workers'
import { connect } from '@planetscale/database'
import { describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '../../src/auth/password'
import { findUserByEmail, insertUser } from '../../src/db/users'
import { Client, PASSWORD, sessionCookieOf, uniqueEmail } from './helpers'

async function registered(client = new Client()) {
  const email = uniqueEmail('login')
  await client.register({ email })
  return { client, email }
}

const attempt = (client: Client, email: string, password: string) =>
  client.request('/login', { json: { user_email: email, user_password: password } })

describe('POST /login', () => {
  it('answers JSON and sets a __Host- session cookie that is HttpOnly, Secure and SameSite=Lax', async () => {
    const { client, email } = await registered()
    const response = await attempt(client, email, PASSWORD)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ error: false, message: 'Login success.' })
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('__Host-sid='))
    expect(cookie, 'session cookie').toBeDefined()
    expect(cookie).toMatch(/; HttpOnly/i)
    expect(cookie).toMatch(/; Secure/i)
    expect(cookie).toMatch(/; SameSite=Lax/i)
    expect(cookie).toMatch(/; Path=\//i)
    expect(cookie).not.toMatch(/Domain=/i)
  })

  it('finds the account whatever the case and spacing of the email', async () => {
    const { client, email } = await registered()
    expect((await attempt(client, ` ${email.toUpperCase()} `, PASSWORD)).status).toBe(200)
  })

  it('redirects a browser to /home with the cookie', async () => {
    const { client, email } = await registered()
    const response = await client.request('/login', {
      form: { user_email: email, user_password: PASSWORD },
      browser: true,
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/home')
    expect(sessionCookieOf(response)).toBeTruthy()
  })

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const { client, email } = await registered()
    const wrong = await attempt(client, email, `${PASSWORD}!`)
    const unknown = await attempt(new Client(), uniqueEmail('nobody'), PASSWORD)
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    const strip = ({ requestId: _, ...rest }: Record<string, unknown>) => rest
    expect(strip(await wrong.json())).toEqual(strip(await unknown.json()))
    expect(sessionCookieOf(wrong)).toBeUndefined()
  })

  it('accepts a 1,024-character password attempt and simply fails; longer is 422', async () => {
    const { client, email } = await registered()
    expect((await attempt(client, email, 'p'.repeat(1024))).status).toBe(401)
    expect((await attempt(client, email, 'p'.repeat(1025))).status).toBe(422)
  })

  it('answers a short password attempt (under 8 bytes, down to 1 character) with a plain 401', async () => {
    const { client, email } = await registered()
    for (const password of ['p', 'pass', '1234567']) {
      expect((await attempt(client, email, password)).status).toBe(401)
    }
  })

  it('shows a browser the log-in form again on failure: 401, the email kept, no session', async () => {
    const { client, email } = await registered()
    const response = await client.request('/login', {
      form: { user_email: email, user_password: 'wrong password here' },
      browser: true,
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toContain('text/html')
    const html = await response.text()
    expect(html).toContain(`value="${email}"`)
    expect(html).toContain('Wrong email or password.')
    expect(html).not.toContain('wrong password here')
    expect(response.headers.getSetCookie()).toEqual([])
  })
})

describe('password hash upgrade', () => {
  async function loginWithStoredHash(passwordHash: string) {
    const db = connect({ url: env.DATABASE_URL })
    const email = uniqueEmail('rehash')
    await insertUser(db, { name: 'Old Hash', email, passwordHash })
    await new Client().login(email)
    return (await findUserByEmail(db, email))?.passwordHash
  }

  it('rehashes a weaker Argon2id hash at the current parameters on the next login', async () => {
    const upgraded = await loginWithStoredHash(
      await hashPassword(PASSWORD, { m: 4096, t: 1, p: 1 })
    )
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(await verifyPassword(PASSWORD, upgraded)).toEqual({ ok: true, needsRehash: false })
  })
})
