// The floor: a Worker with no app code that makes, per request, only the backend calls the
// route's budget allows (one GETEX, one SQL statement, the app's own SQL) with the same official
// clients through the same gateways, served by workerd the same way. No Worker design can be
// faster on this stack and this machine: ours / floor is what the app itself costs, floor /
// tutorial what the HTTP hops and the gateways cost.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConnection } from 'mysql2/promise'
import { type Backends, BENCH_DATABASE, BENCH_REDIS_DB, redisClient } from './backends.ts'
import { bundleBenchWorker } from './bundle-worker.ts'
import type { BenchGateways } from './stack.ts'
import { WorkerHost } from './workerd.ts'

// The architecture's minimal depth: a read runs the session check and the query concurrently
// (depth 1), a write waits for the session check (depth 2). GET / makes no backend call.
const ENTRY = (statusesModule: string) => `
import { connect } from '@planetscale/database'
import { Redis } from '@upstash/redis/cloudflare'
import { insertStatus, listStatuses } from ${JSON.stringify(statusesModule)}
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
    const session = () => redis.getex(env.FLOOR_SESSION_KEY, { ex: 1800 })
    if (request.method === 'GET' && (path === '/fetchStatus' || path === '/home')) {
      const [live, page] = await Promise.all([
        session(),
        listStatuses(db, env.FLOOR_READER_ID, { limit: 20 }),
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
async function floorBindings(backends: Backends, emails: { reader: string; writer: string }) {
  const redis = redisClient(backends.redisUrl, BENCH_REDIS_DB)
  let sessionKey: string | undefined
  try {
    const [, keys] = await redis.scan('0', 'MATCH', 'sess:*', 'COUNT', 1000)
    sessionKey = keys[0]
  } finally {
    await redis.quit()
  }
  if (!sessionKey) throw new Error('floor: no session in the bench Redis database')
  const mysql = await createConnection({ uri: backends.mysqlUrl, database: BENCH_DATABASE })
  try {
    const id = async (email: string) => {
      const [rows] = await mysql.query('SELECT id FROM users WHERE email = ?', [email])
      const row = (rows as { id: number | string }[])[0]
      if (!row) throw new Error(`floor: no user ${email}`)
      return String(row.id)
    }
    return {
      FLOOR_SESSION_KEY: sessionKey,
      FLOOR_READER_ID: await id(emails.reader),
      FLOOR_WRITER_ID: await id(emails.writer),
    }
  } finally {
    await mysql.end()
  }
}

export interface FloorWorker {
  host: WorkerHost
  close(): Promise<void>
}

export async function startFloorWorker(
  options: { root: string; backends: Backends },
  gateways: BenchGateways,
  emails: { reader: string; writer: string }
): Promise<FloorWorker> {
  const outdir = await mkdtemp(join(tmpdir(), 'edge-status-floor-'))
  try {
    const host = await WorkerHost.start({
      mainModule: await bundleBenchWorker(
        ENTRY(join(options.root, 'src', 'db', 'statuses.ts')),
        options.root,
        outdir,
        'floor'
      ),
      wranglerConfig: join(options.root, 'wrangler.toml'),
      bindings: {
        UPSTASH_REDIS_REST_URL: gateways.upstash.url,
        UPSTASH_REDIS_REST_TOKEN: options.backends.upstashToken,
        DATABASE_URL: gateways.databaseUrl,
        ...(await floorBindings(options.backends, emails)),
      },
    })
    return {
      host,
      close: async () => {
        await host.close()
        await rm(outdir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await rm(outdir, { recursive: true, force: true })
    throw error
  }
}
