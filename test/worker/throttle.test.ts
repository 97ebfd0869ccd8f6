// The login throttle counts failed guesses only, strictly per (account,
// address), more loosely per account and per address; one canonical email keys it all.
import { env } from 'cloudflare:workers'
import { connect } from '@planetscale/database'
import { describe, expect, it } from 'vitest'
import { Client, PASSWORD, uniqueEmail } from './helpers'

const attempt = (client: Client, email: string, password: string) =>
  client.request('/login', { json: { user_email: email, user_password: password } })

/** `times` wrong guesses in a row; the statuses they got. */
async function guesses(client: Client, email: string, times: number) {
  const statuses: number[] = []
  for (let i = 0; i < times; i++) {
    statuses.push((await attempt(client, email, `wrong guess ${i}`)).status)
  }
  return statuses
}

const repeat = <T>(value: T, times: number) => Array.from({ length: times }, () => value)

async function registered(label: string) {
  const email = uniqueEmail(label)
  await new Client().register({ email })
  return email
}

/** ASCII letters and signs as their full-width forms (U+FF01..U+FF5E), which NFKC maps back. */
const fullWidth = (s: string) =>
  s.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0))

describe('login throttling', () => {
  it('blocks an (account, address) pair after 5 failures with 429 and Retry-After, even for the right password', async () => {
    const email = await registered('pair')
    const client = new Client()
    expect(await guesses(client, email, 5)).toEqual(repeat(401, 5))
    const blocked = await attempt(client, email, PASSWORD)
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await blocked.json()).toMatchObject({ error: true, code: 'throttled' })
  })

  it('does not lock the owner out: an attacker blocked at 5 guesses leaves other addresses alone', async () => {
    const email = await registered('lockout')
    const attacker = new Client()
    expect(await guesses(attacker, email, 5)).toEqual(repeat(401, 5))
    expect(await guesses(attacker, email, 18), 'the attacker stays blocked').toEqual(
      repeat(429, 18)
    )
    const owner = new Client()
    expect((await attempt(owner, email, PASSWORD)).status, 'the owner logs in').toBe(200)
  })

  it('counts refused guesses nowhere: the looser account-wide limit sees only checked ones', async () => {
    const limits = { LOGIN_LIMIT_PER_ACCOUNT_ADDRESS: '2', LOGIN_LIMIT_PER_ACCOUNT: '4' }
    const email = await registered('distributed')
    const first = new Client(limits)
    expect(await guesses(first, email, 12), '2 checked, then refused').toEqual([
      401,
      401,
      ...repeat(429, 10),
    ])
    // Had the 10 refused guesses counted, the account-wide limit (4) would be spent already.
    const second = new Client(limits)
    expect(await guesses(second, email, 2), 'a second address').toEqual([401, 401])
    const third = new Client(limits)
    const spent = await attempt(third, email, PASSWORD)
    expect(spent.status, 'distributed guessing: 4 failures from anywhere block the account').toBe(
      429
    )
  })

  it('does not count successful logins: many users behind one address keep logging in', async () => {
    const office = new Client({ LOGIN_LIMIT_PER_ADDRESS: '3' })
    const colleagues = [await registered('office-a'), await registered('office-b')]
    for (let round = 0; round < 4; round++) {
      for (const email of colleagues) {
        expect((await attempt(office, email, PASSWORD)).status, `${email} round ${round}`).toBe(200)
      }
    }
    expect(await guesses(office, uniqueEmail('office-nobody'), 4), 'failures still count').toEqual([
      401, 401, 401, 429,
    ])
  })

  it('clears the failures of its own pair on success, not those of another address', async () => {
    const email = await registered('clear')
    const owner = new Client()
    const attacker = new Client()
    expect(await guesses(attacker, email, 4)).toEqual(repeat(401, 4))
    expect(await guesses(owner, email, 4)).toEqual(repeat(401, 4))
    expect((await attempt(owner, email, PASSWORD)).status).toBe(200)
    expect(await guesses(owner, email, 5), "the owner's pair starts again").toEqual(repeat(401, 5))
    expect(await guesses(attacker, email, 2), "the attacker's pair does not").toEqual([401, 429])
  })

  it('blocks one address that tries many accounts', async () => {
    const client = new Client({ LOGIN_LIMIT_PER_ADDRESS: '3' })
    for (let i = 0; i < 3; i++) {
      expect((await attempt(client, uniqueEmail('spray'), PASSWORD)).status).toBe(401)
    }
    const blocked = await attempt(client, uniqueEmail('spray'), PASSWORD)
    expect(blocked.status).toBe(429)
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/)
  })

  it('counts the addresses of one IPv6 /64 as one, in every spelling; the owner elsewhere logs in', async () => {
    const email = await registered('ipv6-64')
    // Ten hosts of one /64, five guesses each: as one address, only the first five are checked.
    const net = crypto.randomUUID().slice(0, 4)
    const statuses: number[] = []
    for (let host = 1; host <= 10; host++) {
      const client = new Client()
      client.address = `2001:db8:aaaa:${net}::${host.toString(16)}`
      statuses.push(...(await guesses(client, email, 5)))
    }
    expect(statuses).toEqual([...repeat(401, 5), ...repeat(429, 45)])
    const spellings = [
      `2001:DB8:AAAA:${net.toUpperCase()}:0:0:0:1`,
      `2001:0db8:aaaa:${net.padStart(4, '0')}:0000:0000:0000:00ff`,
      `2001:db8:aaaa:${net}::192.0.2.1`,
    ]
    for (const address of spellings) {
      const client = new Client()
      client.address = address
      expect((await attempt(client, email, PASSWORD)).status, address).toBe(429)
    }
    const owner = new Client()
    owner.address = `192.0.2.${Math.floor(Math.random() * 256)}`
    expect((await attempt(owner, email, PASSWORD)).status, 'the account is not locked').toBe(200)
  })

  it('counts an IPv4-mapped IPv6 address as the IPv4 address', async () => {
    const email = await registered('ipv4-mapped')
    const [mapped, plain] = [new Client(), new Client()]
    const octet = Math.floor(Math.random() * 256)
    mapped.address = `::ffff:198.51.100.${octet}`
    plain.address = `198.51.100.${octet}`
    expect(await guesses(mapped, email, 5)).toEqual(repeat(401, 5))
    expect((await attempt(plain, email, PASSWORD)).status).toBe(429)
  })

  it('parallel correct logins from one address are never refused for being in flight together', async () => {
    for (const parallel of [8, 20]) {
      const email = await registered(`parallel-${parallel}`)
      const client = new Client()
      const responses = await Promise.all(
        Array.from({ length: parallel }, () => attempt(client, email, PASSWORD))
      )
      expect(
        responses.map((response) => response.status),
        `${parallel} at once`
      ).toEqual(repeat(200, parallel))
    }
  }, 60_000)

  it('parallel guesses with correct logins among them: the failures are still counted exactly', async () => {
    const email = await registered('mixed')
    const attacker = new Client()
    const owner = new Client()
    const [guessed, right] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, (_, i) => attempt(attacker, email, `guess ${i}`))),
      Promise.all(Array.from({ length: 4 }, () => attempt(owner, email, PASSWORD))),
    ])
    expect(right.map((response) => response.status)).toEqual(repeat(200, 4))
    expect(guessed.map((response) => response.status).sort()).toEqual([
      ...repeat(401, 5),
      ...repeat(429, 7),
    ])
  }, 60_000)

  it('20 parallel guesses from one address: exactly 5 are checked', async () => {
    const email = await registered('burst')
    const client = new Client()
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => attempt(client, email, `burst guess ${i}`))
    )
    const statuses = responses.map((response) => response.status).sort()
    expect(statuses).toEqual([...repeat(401, 5), ...repeat(429, 15)])
  })
})

describe('equivalent spellings of an email', () => {
  it('are one account under one throttle: case, full-width letters, zero-width and soft hyphen', async () => {
    const email = await registered('victim')
    const [local = '', domain = ''] = email.split('@')
    const variants = [
      email.toUpperCase(),
      fullWidth(email),
      `${local.slice(0, 3)}\u200b${local.slice(3)}@${domain}`,
      `\u00ad${local}@${domain}\u2060`,
    ]
    for (const variant of variants) {
      const client = new Client()
      const login = await attempt(client, variant, PASSWORD)
      expect(login.status, `${JSON.stringify(variant)} logs in`).toBe(200)
      const home = await (await client.request('/home', { browser: true })).text()
      expect(home, `${JSON.stringify(variant)} is the same account`).toContain(email)
    }
    const client = new Client()
    expect(await guesses(client, email, 5)).toEqual(repeat(401, 5))
    for (const variant of variants) {
      const blocked = await attempt(client, variant, PASSWORD)
      expect(blocked.status, `${JSON.stringify(variant)} is under the same throttle`).toBe(429)
    }
  })

  it('are other (nonexistent) accounts when accents differ: the right password never logs in', async () => {
    const email = await registered('accent')
    const [local = '', domain = ''] = email.split('@')
    const variants = [
      `\u1e7d${email.slice(1)}`,
      `${local}@${domain.replace('e', '\u00e9')}`,
      `${local}@${domain.replace('e', 'e\u0301')}`,
    ]
    const client = new Client()
    for (const variant of variants) {
      expect((await attempt(client, variant, PASSWORD)).status, JSON.stringify(variant)).toBe(401)
    }
    // Their failures were counted under their own keys, not against the real account's pair.
    expect((await attempt(client, email, PASSWORD)).status).toBe(200)
  })

  it('take one account at sign-up: the unique index compares the canonical form', async () => {
    const email = await registered('taken')
    const client = new Client()
    for (const variant of [fullWidth(email), email.replace('@', '\u200b@'), ` ${email} `]) {
      const again = await client.request('/register', {
        json: { user_name: 'Twin', user_email: variant, user_password: PASSWORD },
      })
      expect(again.status, JSON.stringify(variant)).toBe(409)
    }
    const accented = await client.request('/register', {
      json: { user_name: 'Twin', user_email: `\u1e7d${email.slice(1)}`, user_password: PASSWORD },
    })
    expect(accented.status, 'a non-ASCII address is not accepted at sign-up').toBe(422)
    const rows = await connect({ url: env.DATABASE_URL }).execute(
      'SELECT COUNT(*) AS n FROM users WHERE email = ?',
      [email]
    )
    expect(Number((rows.rows[0] as { n: string }).n)).toBe(1)
  })
})
