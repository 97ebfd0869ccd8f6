// The floor: a Worker with no app code that makes, per request, only the backend calls the
// route's budget allows (one GETEX, one SQL statement, the app's own SQL) with the same official
// clients through the same gateways, served by workerd the same way. No Worker design can be
// faster on this stack and this machine: ours / floor is what the app itself costs, floor /
// tutorial what the HTTP hops and the gateways cost.
import { join } from 'node:path'
import { ROOT } from '../../scripts/lib/project.ts'
import { type Backends, mysqlConnection, redisClient } from './backends.ts'
import type { Account, Accounts } from './visitor.ts'
import { startInlineWorker } from './workerd.ts'

// The minimal depth: a read runs the session check and the query concurrently
// (depth 1), a write waits for the session check (depth 2). GET / makes no backend call.
// With DATABASE_REPLICA_URL, reads go where the app's go with replicas: the session as GET and
// PTTL in one pipeline (read-only, so the Upstash read region answers it; GETEX is a write) and
// the statuses from the read-only region. The floor carries no sync token: it needs none, as its
// session was written long before.
const ENTRY = `
import { connect } from '@planetscale/database'
import { Redis } from '@upstash/redis/cloudflare'
import { insertStatus, listStatuses } from ${JSON.stringify(join(ROOT, 'src', 'db', 'statuses.ts'))}
export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname
    if (request.method === 'GET' && path === '/') return new Response('floor')
    const redis = new Redis({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      retry: { retries: 0 },
    })
    const db = connect({ url: env.DATABASE_URL })
    const nearby = env.DATABASE_REPLICA_URL ? connect({ url: env.DATABASE_REPLICA_URL }) : db
    const key = env.FLOOR_SESSION_KEY
    const session = env.DATABASE_REPLICA_URL
      ? async () => (await redis.pipeline().get(key).pttl(key).exec())[0]
      : () => redis.getex(key, { ex: 1800 })
    if (request.method === 'GET' && (path === '/fetchStatus' || path === '/home')) {
      const [live, page] = await Promise.all([
        session(),
        listStatuses(nearby, env.FLOOR_READER_ID, { limit: 20 }),
      ])
      if (!live) return new Response('no session', { status: 401 })
      return Response.json(page.statuses)
    }
    if (request.method === 'POST' && path === '/addStatus') {
      if (!(await session())) return new Response('no session', { status: 401 })
      const { status } = await request.json()
      return Response.json({ id: await insertStatus(db, env.FLOOR_WRITER_ID, status) }, { status: 201 })
    }
    return new Response('not found', { status: 404 })
  },
}`

/** A session the app stored (any: the floor only needs its size and TTL) and the two users' ids. */
async function floorBindings(backends: Backends, accounts: Accounts) {
  const redis = redisClient(backends.redisUrl)
  const [, [sessionKey]] = await redis
    .scan('0', 'MATCH', 'sess:*', 'COUNT', 1000)
    .finally(() => redis.quit())
  if (!sessionKey) throw new Error('floor: no session in the bench Redis database')
  const mysql = await mysqlConnection(backends.mysqlUrl)
  try {
    const id = async ({ user_email }: Account) => {
      const [rows] = await mysql.query('SELECT id FROM users WHERE email = ?', [user_email])
      const row = (rows as { id: number | string }[])[0]
      if (!row) throw new Error(`floor: no user ${user_email}`)
      return String(row.id)
    }
    return {
      FLOOR_SESSION_KEY: sessionKey,
      FLOOR_READER_ID: await id(accounts.reader),
      FLOOR_WRITER_ID: await id(accounts.writer),
    }
  } finally {
    await mysql.end()
  }
}

/** Started after the accounts were seeded on ours: it reads what that left. */
export async function startFloorWorker(
  backends: Backends,
  /** the bench gateways' bindings (infra/stack.ts), which the floor shares */
  gateways: { bindings: Record<string, string> },
  accounts: Accounts
) {
  const bindings = await floorBindings(backends, accounts)
  return startInlineWorker(ENTRY, { ...gateways.bindings, ...bindings })
}
