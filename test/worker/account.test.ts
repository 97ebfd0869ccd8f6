import { describe, expect, it } from 'vitest'
import { Client, loggedInClient, PASSWORD } from './helpers'

interface SessionList {
  message: Array<{
    idHash: string
    device: string
    current: boolean
    createdAt: string
    lastSeenAt: string
  }>
}

async function secondDevice(email: string, userAgent: string) {
  const device = new Client()
  await device.request('/login', {
    json: { user_email: email, user_password: PASSWORD },
    headers: { 'user-agent': userAgent },
  })
  return device
}

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0'
const isLoggedIn = async (client: Client) => (await client.request('/fetchStatus')).status === 200
const sessionsOf = async (client: Client) =>
  ((await (await client.request('/account')).json()) as SessionList).message

describe('/account', () => {
  it('lists my active sessions with device, created and last seen', async () => {
    const { client, email } = await loggedInClient('list')
    await secondDevice(email, FIREFOX)
    const sessions = await sessionsOf(client)
    expect(sessions).toHaveLength(2)
    expect(sessions.filter((s) => s.current)).toHaveLength(1)
    expect(sessions.map((s) => s.device)).toContain('Firefox on Linux')
    for (const session of sessions) {
      expect(Date.parse(session.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(session.createdAt))
    }
    const page = await client.request('/account', { browser: true })
    const html = await page.text()
    expect(html).toContain('Firefox on Linux')
    expect(html).toContain('This device')
  })

  it('redirects to / without a session', async () => {
    const response = await new Client().request('/account', { browser: true })
    expect(response.status).toBe(302)
  })

  it('revokes one session of mine, not someone else’s', async () => {
    const { client, email } = await loggedInClient('revoke')
    const other = await secondDevice(email, FIREFOX)
    const target = (await sessionsOf(client)).find((s) => !s.current)
    if (!target) throw new Error('second session missing')

    const { client: stranger } = await loggedInClient('stranger')
    const denied = await stranger.request('/account/sessions/revoke', {
      json: { session: target.idHash },
    })
    expect(denied.status).toBe(404)
    expect(await isLoggedIn(other), 'a stranger cannot revoke it').toBe(true)

    const response = await client.request('/account/sessions/revoke', {
      json: { session: target.idHash },
    })
    expect(response.status).toBe(200)
    expect(await isLoggedIn(other)).toBe(false)
    expect(await isLoggedIn(client)).toBe(true)
    expect(await sessionsOf(client)).toHaveLength(1)
  })

  it('rejects a malformed session id with 422', async () => {
    const { client } = await loggedInClient('badrevoke')
    const response = await client.request('/account/sessions/revoke', {
      json: { session: '../../x' },
    })
    expect(response.status).toBe(422)
  })

  it('logs out everywhere', async () => {
    const { client, email } = await loggedInClient('everywhere')
    const other = await secondDevice(email, FIREFOX)
    const response = await client.request('/account/logout-everywhere', {
      method: 'POST',
      browser: true,
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/?notice=everywhere')
    expect(client.cookie).toBeNull()
    expect(await isLoggedIn(other)).toBe(false)
  })
})

describe('POST /account/password', () => {
  const NEW_PASSWORD = 'a completely new passphrase'

  it('needs the current password', async () => {
    const { client, email } = await loggedInClient('pwwrong')
    const response = await client.request('/account/password', {
      json: { current_password: 'not my password', new_password: NEW_PASSWORD },
    })
    expect(response.status).toBe(403)
    await new Client().login(email)
  })

  it('rejects a short new password with 422', async () => {
    const { client } = await loggedInClient('pwshort')
    const response = await client.request('/account/password', {
      json: { current_password: PASSWORD, new_password: 'short' },
    })
    expect(response.status).toBe(422)
  })

  it('changes the password, ends every other session and rotates this one', async () => {
    const { client, email } = await loggedInClient('pwchange')
    const other = await secondDevice(email, FIREFOX)
    const before = client.cookie
    const response = await client.request('/account/password', {
      json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    })
    expect(response.status).toBe(200)
    expect(client.cookie).not.toBe(before)
    expect(await isLoggedIn(client), 'this device continues').toBe(true)
    expect(await isLoggedIn(other), 'other sessions end').toBe(false)
    const old = new Client()
    old.cookie = before
    expect(await isLoggedIn(old), 'the old ID is dead').toBe(false)
    const oldLogin = await new Client().request('/login', {
      json: { user_email: email, user_password: PASSWORD },
    })
    expect(oldLogin.status).toBe(401)
    await new Client().login(email, NEW_PASSWORD)
  })
})
