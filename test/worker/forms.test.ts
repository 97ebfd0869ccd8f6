import { describe, expect, it } from 'vitest'
import { Client, loggedInClient, PASSWORD, uniqueEmail } from './helpers'

/** The HTML of the form that posts to `action`, from its opening tag to its end. */
function formOf(html: string, action: string): string {
  const start = html.indexOf(`<form method="post" action="${action}"`)
  if (start < 0) throw new Error(`no form for ${action}`)
  return html.slice(start, html.indexOf('</form>', start))
}

/** The opening tag of the element with this id. */
function tagOf(html: string, id: string): string {
  return new RegExp(`<(input|textarea)[^>]* id="${id}"[^>]*>`).exec(html)?.[0] ?? ''
}

const keyOf = (form: string) => /name="idempotency_key" value="([^"]+)"/.exec(form)?.[1]

/** A field marked invalid, tied to its message, and focused. */
function expectInvalid(html: string, id: string, message: string) {
  const tag = tagOf(html, id)
  expect(tag, id).toContain('aria-invalid="true"')
  expect(tag, id).toMatch(new RegExp(`aria-describedby="${id}-error( ${id}-hint)?"`))
  expect(tag, id).toContain('autofocus')
  expect(html).toContain(`<p id="${id}-error" class="field-error">${message}</p>`)
  expect(html.match(/aria-invalid=/g), 'only that field').toHaveLength(1)
  expect(html.match(/autofocus/g), 'only that field is focused').toHaveLength(1)
}

const signUp = (input: Record<string, string>): Record<string, string> => ({
  user_name: 'Ada Lovelace',
  user_email: uniqueEmail('form'),
  user_password: PASSWORD,
  ...input,
})

describe('a refused sign-up in a browser', () => {
  it('shows the page again (422) with the name and email typed, never the password', async () => {
    const input = signUp({ user_password: 'too short', idempotency_key: crypto.randomUUID() })
    const response = await new Client().request('/register', { form: input, browser: true })
    expect(response.status).toBe(422)
    expect(response.headers.get('content-type')).toContain('text/html')
    expect(response.headers.getSetCookie(), 'no session').toEqual([])
    const html = await response.text()
    const form = formOf(html, '/register')
    expect(form).toContain('value="Ada Lovelace"')
    expect(form).toContain(`value="${input.user_email}"`)
    expect(html).not.toContain('too short')
    expectInvalid(form, 'signup-password', 'Choose a password of 15 to 128 characters.')
    expect(formOf(html, '/login'), 'the log-in form untouched').not.toContain('error')
    expect(keyOf(form), 'the key it was sent with: nothing was stored under it').toBe(
      input.idempotency_key
    )
  })

  it('puts a taken email (409) by the email field', async () => {
    const client = new Client()
    const email = uniqueEmail('taken')
    await client.register({ email })
    const response = await client.request('/register', {
      form: signUp({ user_email: email }),
      browser: true,
    })
    expect(response.status).toBe(409)
    const form = formOf(await response.text(), '/register')
    expectInvalid(
      form,
      'signup-email',
      'An account with this email already exists. Log in instead.'
    )
    expect(form).toContain(`value="${email}"`)
  })

  it('gives a fresh key when the one sent was used for another sign-up, so the form can be sent', async () => {
    const key = crypto.randomUUID()
    const client = new Client()
    await client.request('/register', { form: signUp({ idempotency_key: key }) })
    const reused = await client.request('/register', {
      form: signUp({ idempotency_key: key }),
      browser: true,
    })
    expect(reused.status).toBe(422)
    const form = formOf(await reused.text(), '/register')
    expect(form).toContain('This idempotency key was already used for a different request.')
    expect(form, 'about the form, focused').toContain('role="alert" tabindex="-1" autofocus')
    const fresh = keyOf(form)
    expect(fresh).toMatch(/^[\w-]{36}$/)
    expect(fresh).not.toBe(key)
  })

  it('keeps a sent key: the corrected form signs up once, a resubmission is the same sign-up', async () => {
    const client = new Client()
    const input = signUp({ user_name: ' ', idempotency_key: crypto.randomUUID() })
    const refused = await client.request('/register', { form: input, browser: true })
    expect(refused.status).toBe(422)
    const key = keyOf(formOf(await refused.text(), '/register'))
    const corrected = { ...input, user_name: 'Ada', idempotency_key: key ?? '' }
    const first = await client.request('/register', { form: corrected, browser: true })
    expect(first.status).toBe(303)
    const again = await new Client().request('/register', { form: corrected, browser: true })
    expect(again.status, 'a retry whose first answer was lost: as the first time').toBe(303)
    expect(again.headers.get('location')).toBe('/home?notice=registered')
  })

  it('answers a throttled sign-up 429 with Retry-After, the message on the form', async () => {
    const client = new Client({ REGISTER_LIMIT_PER_ADDRESS: '1' })
    await client.request('/register', { form: signUp({}), browser: true })
    const input = signUp({})
    const response = await client.request('/register', { form: input, browser: true })
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/)
    const form = formOf(await response.text(), '/register')
    expect(form).toContain('Too many attempts.')
    expect(form).toContain(`value="${input.user_email}"`)
  })
})

describe('a refused log-in in a browser', () => {
  it('keeps the email, marks the password, and leaves the sign-up form alone (401)', async () => {
    const client = new Client()
    const email = uniqueEmail('login-form')
    await client.register({ email })
    const response = await client.request('/login', {
      form: { user_email: email, user_password: 'not the password' },
      browser: true,
    })
    expect(response.status).toBe(401)
    const html = await response.text()
    const form = formOf(html, '/login')
    expect(tagOf(form, 'login-email')).toContain(`value="${email}"`)
    expect(tagOf(form, 'login-password')).not.toContain('value=')
    expectInvalid(form, 'login-password', 'Wrong email or password.')
    expect(formOf(html, '/register')).not.toContain('error')
  })
})

describe('a refused status post in a browser', () => {
  it('shows /home again (422) with the text typed and the statuses', async () => {
    const { client } = await loggedInClient('post-form')
    await client.request('/addStatus', { json: { status: 'an earlier one' } })
    const tooLong = `<b>${'x'.repeat(1000)}</b>`
    const key = crypto.randomUUID()
    const response = await client.request('/addStatus', {
      form: { status: tooLong, idempotency_key: key },
      browser: true,
    })
    expect(response.status).toBe(422)
    const html = await response.text()
    expect(html).toContain('an earlier one')
    const form = formOf(html, '/addStatus')
    expect(form, 'escaped, after the newline the parser drops').toContain(
      `>\n&lt;b&gt;${'x'.repeat(1000)}&lt;/b&gt;</textarea>`
    )
    expectInvalid(form, 'status', 'Write a status of 1 to 1000 characters (not only spaces).')
    expect(keyOf(form)).toBe(key)
  })
})

describe('the password form', () => {
  it('tells the length rule and names the account for password managers', async () => {
    const { client, email } = await loggedInClient('password-form')
    const form = formOf(
      await (await client.request('/account', { browser: true })).text(),
      '/account/password'
    )
    expect(form).toContain(
      `<input type="email" autocomplete="username" value="${email}" hidden=""/>`
    )
    expect(tagOf(form, 'new-password')).toContain('aria-describedby="new-password-hint"')
    expect(form).toContain('At least 15 characters.')
  })

  it('shows a wrong current password (403) by that field, the page otherwise as it was', async () => {
    const { client } = await loggedInClient('password-wrong')
    const response = await client.request('/account/password', {
      form: { current_password: 'not my password', new_password: 'a new long passphrase' },
      browser: true,
    })
    expect(response.status).toBe(403)
    const html = await response.text()
    expect(html, 'the sessions are listed').toContain('This device')
    const form = formOf(html, '/account/password')
    expectInvalid(form, 'current-password', 'Your current password is not correct.')
    expect(html).not.toContain('not my password')
    expect(html).not.toContain('a new long passphrase')
  })

  it('shows a short new password (422) by the new-password field, tied to its hint too', async () => {
    const { client } = await loggedInClient('password-short')
    const response = await client.request('/account/password', {
      form: { current_password: PASSWORD, new_password: 'short' },
      browser: true,
    })
    expect(response.status).toBe(422)
    expectInvalid(
      formOf(await response.text(), '/account/password'),
      'new-password',
      'Choose a new password of 15 to 128 characters.'
    )
  })

  it('shows a session that is gone (404) on the sessions list', async () => {
    const { client } = await loggedInClient('revoke-gone')
    const response = await client.request('/account/sessions/revoke', {
      form: { session: 'A'.repeat(43) },
      browser: true,
    })
    expect(response.status).toBe(404)
    const html = await response.text()
    expect(html).toContain(
      '<p id="revoke-error" class="message error" role="alert" tabindex="-1" autofocus="">That session no longer exists.</p>'
    )
  })
})

describe('API clients', () => {
  it('keep the JSON error of every form', async () => {
    const client = new Client()
    const response = await client.request('/register', { form: signUp({ user_password: 'x' }) })
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ error: true, code: 'invalid_user_password' })
  })
})
