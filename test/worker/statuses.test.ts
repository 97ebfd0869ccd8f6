import { describe, expect, it } from 'vitest'
import { Client, countRequests, loggedInClient } from './helpers'

interface StatusList {
  error: boolean
  message: Array<{ id: string; user_status: string; created_date: string }>
  next_cursor: string | null
}

const post = (client: Client, status: string) => client.request('/addStatus', { json: { status } })
const list = async (client: Client, query = '') =>
  (await (await client.request(`/fetchStatus${query}`)).json()) as StatusList

describe('POST /addStatus and GET /fetchStatus', () => {
  it('stores statuses and lists only mine, newest first', async () => {
    const { client } = await loggedInClient('poster')
    const { client: other } = await loggedInClient('other')
    expect((await post(client, 'first')).status).toBe(201)
    expect((await post(client, 'second 🙂 二番目')).status).toBe(201)
    expect((await post(other, 'not yours')).status).toBe(201)
    const body = await list(client)
    expect(body.error).toBe(false)
    expect(body.message.map((s) => s.user_status)).toEqual(['second 🙂 二番目', 'first'])
    expect(body.message[0]?.created_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(body.next_cursor).toBeNull()
  })

  it('shows a revoked session nothing, though its query runs beside the session check', async () => {
    const { client, email } = await loggedInClient('revoked-reader')
    expect((await post(client, 'secret words of mine')).status).toBe(201)
    const revoker = new Client()
    await revoker.login(email)
    const sessions = (await (await revoker.request('/account')).json()) as {
      message: Array<{ idHash: string; current: boolean }>
    }
    const victim = sessions.message.find((session) => !session.current)
    if (!victim) throw new Error('the first session is missing from the list')
    const revoked = await revoker.request('/account/sessions/revoke', {
      json: { session: victim.idHash },
    })
    expect(revoked.status).toBe(200)

    const api = await client.request('/fetchStatus')
    expect(api.status).toBe(401)
    expect(await api.text()).not.toContain('secret words')
    const page = await client.request('/home', { browser: true })
    expect(page.status).toBe(302)
    expect(await page.text()).not.toContain('secret words')
  })

  it('pages with a cursor', async () => {
    const { client } = await loggedInClient('pager')
    for (let i = 1; i <= 5; i++) await post(client, `status ${i}`)
    const first = await list(client, '?limit=2')
    expect(first.message.map((s) => s.user_status)).toEqual(['status 5', 'status 4'])
    const second = await list(client, `?limit=2&cursor=${first.next_cursor}`)
    expect(second.message.map((s) => s.user_status)).toEqual(['status 3', 'status 2'])
    const last = await list(client, `?limit=2&cursor=${second.next_cursor}`)
    expect(last.message.map((s) => s.user_status)).toEqual(['status 1'])
    expect(last.next_cursor).toBeNull()
  })

  it.each(['?limit=0', '?limit=101', '?limit=abc', '?cursor=1;drop'])(
    'rejects %s with 400',
    async (query) => {
      const { client } = await loggedInClient('badquery')
      const response = await client.request(`/fetchStatus${query}`)
      expect(response.status).toBe(400)
    }
  )

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['over 1,000 characters', 'x'.repeat(1001)],
  ])('rejects an %s status with 422 and stores nothing', async (_label, status) => {
    const { client } = await loggedInClient('badstatus')
    const response = await post(client, status)
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ error: true, code: 'invalid_status' })
    expect((await list(client)).message).toEqual([])
  })

  it('stores and returns a status exactly as written: spaces around it and line breaks kept', async () => {
    const { client } = await loggedInClient('verbatim')
    const texts = ['trailing space ', '  leading spaces', 'two\nlines\r\n', '\ttab and nbsp\u00a0']
    for (const text of texts) expect((await post(client, text)).status).toBe(201)
    const listed = (await list(client)).message.map((s) => s.user_status)
    expect(listed).toEqual([...texts].reverse())
  })

  it.each([
    ['a lone zero-width space', '\u200b'],
    ['zero-width characters and spaces', ' \u200b\u200c\u200d\u2060\ufeff '],
    ['no-break and ideographic spaces', '\u00a0\u3000\u2007'],
    ['a Hangul filler and a braille blank', '\u3164\u2800'],
    ['control characters', '\u0000\u0007\n'],
    ['a lone combining mark', '\u0301'],
  ])('rejects a status of only invisible characters (%s) with 422', async (_label, status) => {
    const { client } = await loggedInClient('invisible')
    const response = await post(client, status)
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ code: 'invalid_status' })
    expect((await list(client)).message).toEqual([])
  })

  it('rejects a lone surrogate (422) instead of storing a replacement character', async () => {
    const { client } = await loggedInClient('surrogate')
    const response = await client.request('/addStatus', {
      body: '{"status":"half \\ud83d of an emoji"}',
      headers: { 'content-type': 'application/json' },
    })
    expect(response.status).toBe(422)
    expect((await list(client)).message).toEqual([])
  })

  it('accepts exactly 1,000 characters (emoji count as one)', async () => {
    const { client } = await loggedInClient('long')
    expect((await post(client, '🙂'.repeat(1000))).status).toBe(201)
  })

  it('answers 401 JSON without a session, and stores nothing', async () => {
    const client = new Client()
    let response: Response | undefined
    const used = await countRequests(async () => {
      response = await post(client, 'anonymous')
    })
    expect(used.planetscale, 'no SQL statement, so nothing stored').toBe(0)
    expect(response?.status).toBe(401)
    expect(await response?.json()).toMatchObject({ error: true, message: 'Please log in first.' })
    expect((await client.request('/fetchStatus')).status).toBe(401)
  })

  it('redirects a browser post back to /home (Post/Redirect/Get), a refused one shows /home again', async () => {
    const { client } = await loggedInClient('prg')
    const response = await client.request('/addStatus', {
      form: { status: 'from a form' },
      browser: true,
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/home?notice=posted')
    const failed = await client.request('/addStatus', { form: { status: ' ' }, browser: true })
    expect(failed.status, 'a refused post: the page again, with its status').toBe(422)
    expect(await failed.text()).toContain('from a form')
  })
})

describe('GET /home', () => {
  it('redirects to / without a session', async () => {
    const response = await new Client().request('/home', { browser: true })
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/')
  })

  it('shows who is logged in and their statuses, escaped', async () => {
    const { client, email } = await loggedInClient('home')
    await post(client, '<script>alert(1)</script> & "quotes"')
    const response = await client.request('/home', { browser: true })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain(email)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;')
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain('action="/logout"')
    expect(html).toContain('href="/account"')
  })
})
