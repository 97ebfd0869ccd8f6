// Only a backend that cannot be reached or heard from is a 503 ("try again"). An
// error the database answered (SQL, a Redis error reply) is a bug: 500, logged with its cause.
import { env } from 'cloudflare:workers'
import { connect } from '@planetscale/database'
import { Redis } from '@upstash/redis/cloudflare'
import { afterEach, describe, expect, it } from 'vitest'
import { INTERNALS } from './fault-control'
import { loggedInClient } from './helpers'
import { quietLogs } from './reliability'

const db = () => connect({ url: env.DATABASE_URL })

let logs: ReturnType<typeof quietLogs> | undefined
afterEach(() => {
  logs?.restore()
  logs = undefined
})

/** A 500 as clients see it, and the log line that tells why, under the same request id. */
async function expectInternal(response: Response, cause: RegExp) {
  const text = await response.text()
  expect(response.status, text).toBe(500)
  expect(response.headers.get('retry-after'), 'not "try again"').toBeNull()
  expect(text).not.toMatch(INTERNALS)
  const body = JSON.parse(text) as { code: string; requestId: string }
  expect(body.code).toBe('internal')
  const line = logs?.errors.find((entry) => entry.includes(body.requestId))
  expect(line, 'logged under the request id').toBeDefined()
  expect(line).toMatch(cause)
}

describe('errors the backends answered', () => {
  it('an SQL error (a trigger refusing the INSERT) is a 500 with its cause logged', async () => {
    const { client } = await loggedInClient('sql-error')
    const marker = `refused-${crypto.randomUUID().slice(0, 8)}`
    const trigger = `test_refuse_${marker.replaceAll('-', '_')}`
    // A real error from MariaDB, for this one text only: other tests' inserts pass untouched.
    await db().execute(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON statuses FOR EACH ROW
       IF NEW.body = '${marker}' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'; END IF`
    )
    try {
      logs = quietLogs()
      const response = await client.request('/addStatus', { json: { status: marker } })
      await expectInternal(response, /DatabaseError.*refused/)
    } finally {
      await db().execute(`DROP TRIGGER IF EXISTS ${trigger}`)
    }
  })

  it('a Redis error reply (WRONGTYPE) is a 500 with its cause logged', async () => {
    const { client } = await loggedInClient('redis-error')
    // The signed cookie names the user: <session id>.<user id>.<signature>.
    const userId = decodeURIComponent(client.cookie ?? '').split('.')[1]
    const redis = new Redis({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
    })
    await redis.set(`user:${userId}:session-index`, 'not a sorted set')
    logs = quietLogs()
    const response = await client.request('/account')
    await expectInternal(response, /UpstashError.*WRONGTYPE/)
  })
})
