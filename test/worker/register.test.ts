import { describe, expect, it } from 'vitest'
import { Client, PASSWORD, uniqueEmail } from './helpers'

const valid = () => ({
  user_name: 'Zoë 🙂',
  user_email: uniqueEmail('reg'),
  user_password: PASSWORD,
})

describe('POST /register', () => {
  it('creates an account from JSON and answers 201', async () => {
    const response = await new Client().request('/register', { json: valid() })
    expect(response.status).toBe(201)
    expect(await response.json()).toEqual({ error: false, message: 'Registered successfully.' })
  })

  it('accepts a form post from a non-browser client (clients of the 2015 app) and answers JSON', async () => {
    const response = await new Client().request('/register', { form: valid() })
    expect(response.status).toBe(201)
    expect(await response.json()).toMatchObject({ error: false })
  })

  it('redirects a browser form post back to / with a notice (Post/Redirect/Get)', async () => {
    const response = await new Client().request('/register', { form: valid(), browser: true })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/?notice=registered')
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

  it('sends a browser back to the form with the error code', async () => {
    const response = await new Client().request('/register', {
      form: { ...valid(), user_password: 'short' },
      browser: true,
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/?error=invalid_user_password')
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
