import { describe, expect, it } from 'vitest'
import { Client, PASSWORD, sessionCookieOf, uniqueEmail } from './helpers'

const valid = () => ({
  user_name: 'Zoë 🙂',
  user_email: uniqueEmail('reg'),
  user_password: PASSWORD,
})

describe('POST /register', () => {
  it('creates an account from JSON and answers 201, without a session', async () => {
    const response = await new Client().request('/register', { json: valid() })
    expect(response.status).toBe(201)
    expect(await response.json()).toEqual({ error: false, message: 'Registered successfully.' })
    expect(sessionCookieOf(response), 'API clients log in themselves').toBeUndefined()
  })

  it('accepts a form post from a non-browser client (clients of the 2015 app) and answers JSON', async () => {
    const response = await new Client().request('/register', { form: valid() })
    expect(response.status).toBe(201)
    expect(await response.json()).toMatchObject({ error: false })
  })

  it('logs a browser in and sends it to /home (Post/Redirect/Get)', async () => {
    const client = new Client()
    const input = valid()
    const response = await client.request('/register', { form: input, browser: true })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/home?notice=registered')
    expect(sessionCookieOf(response), 'a session').toEqual(expect.any(String))
    const home = await client.request('/home?notice=registered', { browser: true })
    expect(home.status).toBe(200)
    const html = await home.text()
    expect(html).toContain(input.user_email)
    expect(html).toContain('Your account is ready')
    const sessions = (await (await client.request('/account')).json()) as { message: unknown[] }
    expect(sessions.message, 'one session, listed on /account').toHaveLength(1)
  })

  it('answers 409 for an email that is taken, whatever its case and spacing', async () => {
    const input = valid()
    const client = new Client()
    expect((await client.request('/register', { json: input })).status).toBe(201)
    const again = await client.request('/register', {
      json: { ...input, user_email: `  ${input.user_email.toUpperCase()} ` },
    })
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ error: true, code: 'email_taken' })
  })

  it.each([
    ['a short password', { user_password: 'short' }, 'invalid_user_password'],
    ['a password over 128 characters', { user_password: 'x'.repeat(129) }, 'invalid_user_password'],
    ['an invalid email', { user_email: 'not-an-email' }, 'invalid_user_email'],
    [
      'an email over 254 characters',
      { user_email: `${'a'.repeat(250)}@example.test` },
      'invalid_user_email',
    ],
    ['an empty name', { user_name: '   ' }, 'invalid_user_name'],
    ['a name over 100 characters', { user_name: 'n'.repeat(101) }, 'invalid_user_name'],
    ['a name that is not a string', { user_name: 42 }, 'invalid_user_name'],
    [
      'a name of invisible characters only',
      { user_name: '\u200b\u2060\u00ad\u3164\u2800\u0301' },
      'invalid_user_name',
    ],
  ])('rejects %s with 422 and creates nothing', async (_label, change, code) => {
    const input = { ...valid(), ...change }
    const client = new Client()
    const response = await client.request('/register', { json: input })
    expect(response.status).toBe(422)
    const body = (await response.json()) as { error: boolean; code: string; message: string }
    expect(body).toMatchObject({ error: true, code })
    expect(body.message.length).toBeGreaterThan(5)
    if (code !== 'invalid_user_email') {
      const retry = await client.request('/register', {
        json: { ...input, ...valid(), user_email: input.user_email },
      })
      expect(retry.status, 'the email is still free').toBe(201)
    }
  })

  it('counts passwords in characters, not bytes (15 emoji are enough)', async () => {
    const response = await new Client().request('/register', {
      json: { ...valid(), user_password: '🙂'.repeat(15) },
    })
    expect(response.status).toBe(201)
  })

  it('stores SQL-looking input as plain data', async () => {
    const email = uniqueEmail('sqli')
    const client = new Client()
    const name = "Robert'); DROP TABLE users; --"
    expect(
      (
        await client.request('/register', {
          json: { ...valid(), user_email: email, user_name: name },
        })
      ).status
    ).toBe(201)
    await client.login(email)
    const home = await (await client.request('/home', { browser: true })).text()
    expect(home).toContain('Robert&#39;); DROP TABLE users; --')
  })
})
