// A burst of logins on one isolate with healthy backends: Argon2id holds the isolate's only
// thread, and time spent waiting for it must not be reported as a backend outage (503
// backend_unavailable). Beyond what one isolate carries, the answer is 503 `overloaded`.
import { env } from 'cloudflare:workers'
import { connect } from '@planetscale/database'
import { describe, expect, it } from 'vitest'
import { hashPassword } from '../../src/auth/password'
import { Client, PASSWORD, uniqueEmail } from './helpers'
import { quietLogs } from './reliability'

const BURST = 64

/** `count` accounts with PASSWORD, written straight to the database (one hash for all). */
async function accounts(count: number): Promise<string[]> {
  const hash = await hashPassword(PASSWORD)
  const emails = Array.from({ length: count }, () => uniqueEmail('burst'))
  const db = connect({ url: env.DATABASE_URL })
  const values = emails.map(() => '(?, ?, ?)').join(', ')
  await db.execute(
    `INSERT INTO users (name, email, password_hash) VALUES ${values}`,
    emails.flatMap((email) => ['Burst', email, hash])
  )
  return emails
}

const tally = (responses: Response[]) => {
  const counts: Record<string, number> = {}
  for (const response of responses) counts[response.status] = (counts[response.status] ?? 0) + 1
  return counts
}

describe('a burst of logins on one isolate', () => {
  it(`${BURST} concurrent correct logins (distinct accounts and addresses): all 200, no 503`, async () => {
    const emails = await accounts(BURST)
    const logs = quietLogs()
    const started = Date.now()
    try {
      const responses = await Promise.all(
        emails.map((email) =>
          new Client().request('/login', { json: { user_email: email, user_password: PASSWORD } })
        )
      )
      console.log(JSON.stringify({ burst: BURST, ms: Date.now() - started, ...tally(responses) }))
      expect(tally(responses)).toEqual({ 200: BURST })
    } finally {
      logs.restore()
    }
  }, 60_000)

  it(`${BURST * 2} concurrent wrong guesses (distinct accounts and addresses): all 401, no 503`, async () => {
    const emails = await accounts(BURST * 2)
    const logs = quietLogs()
    try {
      const responses = await Promise.all(
        emails.map((email) =>
          new Client().request('/login', { json: { user_email: email, user_password: 'wrong!' } })
        )
      )
      expect(tally(responses)).toEqual({ 401: BURST * 2 })
    } finally {
      logs.restore()
    }
  }, 60_000)
})
