// A post whose answer was lost is safe to retry. With the same idempotency key a
// retry gets the first answer and nothing is stored twice; the key with other data is refused.
import { env } from 'cloudflare:workers'
import { connect } from '@planetscale/database'
import { describe, expect, it } from 'vitest'
import { proxiesForFile } from './fault-control'
import { Client, loggedInClient, PASSWORD, uniqueEmail } from './helpers'
import { allStatuses } from './reliability'

const db = () => connect({ url: env.DATABASE_URL })
const newKey = () => crypto.randomUUID()

async function accountsWith(email: string): Promise<number> {
  const result = await db().execute('SELECT COUNT(*) AS n FROM users WHERE email = ?', [email])
  return Number((result.rows[0] as { n: string }).n)
}

const post = (client: Client, status: string, key?: string) =>
  client.request('/addStatus', {
    json: { status },
    headers: key === undefined ? {} : { 'idempotency-key': key },
  })

const signUp = (client: Client, input: Record<string, string>, key?: string) =>
  client.request('/register', {
    json: input,
    headers: key === undefined ? {} : { 'idempotency-key': key },
  })

describe('POST /addStatus with an idempotency key', () => {
  it('answers a retry with the first status and stores it once', async () => {
    const { client } = await loggedInClient('idem-post')
    const key = newKey()
    const first = await post(client, 'only once ', key)
    const again = await post(client, 'only once ', key)
    expect(first.status).toBe(201)
    expect(again.status, 'the same answer').toBe(201)
    const firstId = ((await first.json()) as { id: string }).id
    expect(((await again.json()) as { id: string }).id, 'the same id').toBe(firstId)
    expect(await allStatuses(client)).toEqual(['only once '])
  })

  it('reads a status that begins with U+FEFF back exactly: its keyed retry is the same post', async () => {
    const { client } = await loggedInClient('idem-bom')
    const key = newKey()
    const text = '\ufeffbegins with a byte order mark'
    const first = await post(client, text, key)
    expect(first.status).toBe(201)
    const again = await post(client, text, key)
    expect(again.status, await again.clone().text()).toBe(201)
    expect(((await again.json()) as { id: string }).id).toBe(
      ((await first.json()) as { id: string }).id
    )
    expect(await allStatuses(client)).toEqual([text])
    const page = await (await client.request('/home', { browser: true })).text()
    expect(page, 'the page shows the text as posted').toContain(`>${text}<`)
  })

  it('reads every text column exactly: a name that begins with U+FEFF', async () => {
    const email = uniqueEmail('bom-name')
    const client = new Client()
    await client.register({ email, name: 'Name after a mark' })
    await db().execute("UPDATE users SET name = CONCAT(X'EFBBBF', name) WHERE email = ?", [email])
    await client.login(email)
    const page = await (await client.request('/home', { browser: true })).text()
    expect(page).toContain('Hello, \ufeffName after a mark<')
  })

  it('accepts the IETF draft form of the header, a quoted string', async () => {
    const { client } = await loggedInClient('idem-quoted')
    const key = newKey()
    expect((await post(client, 'quoted', `"${key}"`)).status).toBe(201)
    expect((await post(client, 'quoted', key)).status).toBe(201)
    expect(await allStatuses(client)).toEqual(['quoted'])
  })

  it('refuses the key with a different text (422) and stores nothing more', async () => {
    const { client } = await loggedInClient('idem-reuse')
    const key = newKey()
    expect((await post(client, 'first text', key)).status).toBe(201)
    const reused = await post(client, 'other text', key)
    expect(reused.status).toBe(422)
    expect(await reused.json()).toMatchObject({ error: true, code: 'idempotency_key_reused' })
    expect(await allStatuses(client)).toEqual(['first text'])
  })

  it('keeps keys apart per user', async () => {
    const { client: one } = await loggedInClient('idem-one')
    const { client: two } = await loggedInClient('idem-two')
    const key = newKey()
    expect((await post(one, 'mine', key)).status).toBe(201)
    expect((await post(two, 'yours', key)).status).toBe(201)
    expect(await allStatuses(two)).toEqual(['yours'])
  })

  it.each([
    ['empty', ''],
    ['with a space', 'a b'],
    ['non-ASCII', 'clé'],
    ['over 128 characters', 'k'.repeat(129)],
  ])('rejects a key that is %s with 422 and stores nothing', async (_label, key) => {
    const { client } = await loggedInClient('idem-bad')
    const response = await post(client, 'never stored', key)
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ code: 'invalid_idempotency_key' })
    expect(await allStatuses(client)).toEqual([])
  })

  it('gives each rendering of the browser form its own key; resubmitting one form posts once', async () => {
    const { client } = await loggedInClient('idem-form')
    const keyOf = async () => {
      const html = await (await client.request('/home', { browser: true })).text()
      return /name="idempotency_key" value="([^"]+)"/.exec(html)?.[1]
    }
    const key = await keyOf()
    expect(key, 'the form carries a key').toMatch(/^[0-9a-f-]{36}$/)
    expect(await keyOf(), 'a fresh one per rendering').not.toBe(key)
    const form = { status: 'from the form', idempotency_key: key ?? '' }
    for (let i = 0; i < 2; i++) {
      const response = await client.request('/addStatus', { form, browser: true })
      expect(response.headers.get('location'), `submission ${i + 1}`).toBe('/home?notice=posted')
    }
    expect(await allStatuses(client)).toEqual(['from the form'])
  })
})

describe('POST /register with an idempotency key', () => {
  const input = (email = uniqueEmail('idem-reg')) => ({
    user_name: 'Idem',
    user_email: email,
    user_password: PASSWORD,
  })

  it('answers a retry as the first time (201), and creates one account', async () => {
    const client = new Client()
    const key = newKey()
    const body = input()
    expect((await signUp(client, body, key)).status).toBe(201)
    const again = await signUp(client, body, key)
    expect(again.status).toBe(201)
    expect(await again.json()).toEqual({ error: false, message: 'Registered successfully.' })
    expect(await accountsWith(body.user_email)).toBe(1)
    const without = await signUp(client, body)
    expect(without.status, 'without the key it is a taken email').toBe(409)
  })

  it('refuses the key with other data (422): another email, name or password', async () => {
    const client = new Client()
    const key = newKey()
    const body = input()
    expect((await signUp(client, body, key)).status).toBe(201)
    const others = [
      { ...body, user_email: uniqueEmail('idem-other') },
      { ...body, user_name: 'Someone Else' },
      { ...body, user_password: `${PASSWORD} but longer` },
    ]
    for (const other of others) {
      const response = await signUp(client, other, key)
      expect(response.status, JSON.stringify(other)).toBe(422)
      expect(await response.json()).toMatchObject({ code: 'idempotency_key_reused' })
    }
    expect(await accountsWith(others[0]?.user_email ?? '')).toBe(0)
  })
})

describe('a write committed whose answer was lost', () => {
  const net = proxiesForFile()

  it('POST /addStatus: 503, then a retry with the key gets the id, and one row exists', async () => {
    const { client: direct } = await loggedInClient('lost-post')
    const client = new Client(net.bindings)
    client.cookie = direct.cookie
    const text = `committed ${newKey()}`
    const key = newKey()
    await net.planetscale.set({ mode: 'truncate', match: 'INSERT INTO statuses', count: 1 })
    const lost = await post(client, text, key)
    expect(lost.status, await lost.text()).toBe(503)
    expect(lost.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await allStatuses(direct), 'the INSERT was carried out').toEqual([text])

    const retry = await post(client, text, key)
    expect(retry.status, 'the retry is answered as the first post').toBe(201)
    const { id } = (await retry.json()) as { id: string }
    const listed = (await (await direct.request('/fetchStatus')).json()) as {
      message: { id: string; user_status: string }[]
    }
    expect(listed.message, 'stored once, under the id the retry got').toEqual([
      expect.objectContaining({ id, user_status: text }),
    ])
  })

  it('POST /register: 503, then a retry with the key gets 201, and one account logs in', async () => {
    const client = new Client(net.bindings)
    const email = uniqueEmail('lost-reg')
    const key = newKey()
    const body = { user_name: 'Lost Answer', user_email: email, user_password: PASSWORD }
    await net.planetscale.set({ mode: 'truncate', match: 'INSERT INTO users', count: 1 })
    const lost = await signUp(client, body, key)
    expect(lost.status, await lost.text()).toBe(503)
    expect(await accountsWith(email), 'the INSERT was carried out').toBe(1)

    const retry = await signUp(client, body, key)
    expect(retry.status, 'not "email taken"').toBe(201)
    expect(await accountsWith(email)).toBe(1)
    await new Client().login(email)
  })
})
