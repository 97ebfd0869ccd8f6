import { describe, expect, it } from 'vitest'
import { Client, loggedInClient, ORIGIN } from './helpers'

describe('hostile and malformed input', () => {
  it('answers 413 for a body over 16 KiB, before parsing', async () => {
    const response = await new Client().request('/register', {
      json: {
        user_name: 'x'.repeat(17 * 1024),
        user_email: 'a@b.co',
        user_password: 'p'.repeat(20),
      },
    })
    expect(response.status).toBe(413)
    expect(await response.json()).toMatchObject({ error: true, code: 'payload_too_large' })
  })

  it.each([
    ['{"user_email":', 'application/json'],
    ['[1,2,3]', 'application/json'],
    ['null', 'application/json'],
  ])('answers 400 for the malformed JSON %s', async (body, type) => {
    const response = await new Client().request('/login', {
      body,
      headers: { 'content-type': type },
    })
    expect(response.status).toBe(400)
    const json = (await response.json()) as { message: string }
    expect(json.message).not.toMatch(/at |\.ts|stack/i)
  })

  it('answers 415 for an unsupported content type', async () => {
    const response = await new Client().request('/login', {
      body: '<xml/>',
      headers: { 'content-type': 'application/xml' },
    })
    expect(response.status).toBe(415)
  })

  it('rejects a cross-site form post with 403 and changes nothing', async () => {
    const { client } = await loggedInClient('csrf')
    const response = await client.request('/addStatus', {
      form: { status: 'forged' },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    })
    expect(response.status).toBe(403)
    const list = (await (await client.request('/fetchStatus')).json()) as { message: unknown[] }
    expect(list.message).toEqual([])
  })

  it('accepts a same-origin form post from a browser', async () => {
    const { client } = await loggedInClient('sameorigin')
    const response = await client.request('/addStatus', {
      form: { status: 'fine' },
      headers: { origin: ORIGIN },
    })
    expect(response.status).toBe(201)
  })
})
