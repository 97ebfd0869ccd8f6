// A password change ends the other sessions whenever the new hash may be stored (also
// when the UPDATE's answer is lost), or does not store it; a retry after a 503 is answered 200.
import { describe, expect, it } from 'vitest'
import { proxiesForFile } from './fault-control'
import { Client, loggedInClient, PASSWORD } from './helpers'

const NEW_PASSWORD = 'an entirely different passphrase'
const UPDATE = 'UPDATE users SET password_hash'

const net = proxiesForFile()

const isLoggedIn = async (client: Client) => (await client.request('/fetchStatus')).status === 200
const loginStatus = async (email: string, password: string) =>
  (
    await new Client().request('/login', {
      json: { user_email: email, user_password: password },
    })
  ).status

/** A user logged in on two devices; `device` talks to the app through the proxies. */
async function twoDevices(label: string) {
  const { client: direct, email } = await loggedInClient(label)
  const other = new Client()
  await other.login(email)
  const device = new Client(net.bindings)
  device.cookie = direct.cookie
  return { device, other, email }
}

const change = (client: Client) =>
  client.request('/account/password', {
    json: { current_password: PASSWORD, new_password: NEW_PASSWORD },
  })

describe('POST /account/password when the database write is in doubt', () => {
  it('the UPDATE was carried out but its answer lost: 503, the other sessions are already gone', async () => {
    const { device, other, email } = await twoDevices('pw-lost')
    const before = device.cookie
    await net.planetscale.set({ mode: 'truncate', match: UPDATE, count: 1 })
    const lost = await change(device)
    expect(lost.status, await lost.text()).toBe(503)
    expect(lost.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(device.cookie, 'this device got its fresh session with the answer').not.toBe(before)
    expect(await isLoggedIn(other), 'the other session has ended').toBe(false)
    expect(await loginStatus(email, NEW_PASSWORD), 'the new hash was stored').toBe(200)

    const retry = await change(device)
    expect(retry.status, 'the retry is answered as done').toBe(200)
    expect(await isLoggedIn(device)).toBe(true)
    expect(await loginStatus(email, PASSWORD), 'the old password is gone').toBe(401)
  })

  it('the UPDATE never reached the database: 503, sessions ended, and the retry changes it', async () => {
    const { device, other, email } = await twoDevices('pw-dropped')
    await net.planetscale.set({ mode: 'reset', match: UPDATE, count: 1 })
    const dropped = await change(device)
    expect(dropped.status, await dropped.text()).toBe(503)
    expect(await isLoggedIn(other), 'ended before the write was sent').toBe(false)

    const retry = await change(device)
    expect(retry.status).toBe(200)
    expect(await loginStatus(email, NEW_PASSWORD)).toBe(200)
    expect(await loginStatus(email, PASSWORD)).toBe(401)
  })

  it('Redis fails before the sessions end: 503, and the new hash is never written', async () => {
    const { device, other, email } = await twoDevices('pw-redis')
    const sent = (await net.planetscale.stats()).bodies.length
    // The session pipeline is the one that ends every session (its script pops the older index).
    await net.upstash.set({ mode: 'reset', match: 'SPOP', count: 1 })
    const failed = await change(device)
    expect(failed.status, await failed.text()).toBe(503)
    const statements = (await net.planetscale.stats()).bodies.slice(sent)
    expect(
      statements.filter((body) => body.includes(UPDATE)),
      'no UPDATE was sent'
    ).toEqual([])
    expect(await isLoggedIn(other), 'nothing changed: the other session lives').toBe(true)
    expect(await loginStatus(email, PASSWORD)).toBe(200)
  })
})
