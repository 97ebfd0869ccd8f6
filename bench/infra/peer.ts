// The comparison peer (--peer), if any: a server at a URL, or the 2015 Express tutorial app this
// project rebuilds, from a folder (its `bin`, `schema.sql` and lockfile), copied to a private
// folder, installed with `npm ci` when its lockfile changed, its schema applied, and its program
// started with the launcher on a free port. It talks to Redis (database 0) and MariaDB (schema
// redis_demo) directly, or through TCP delay proxies (distance).
import { existsSync } from 'node:fs'
import { cp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createConnection } from 'mysql2/promise'
import { httpAnswers, OwnedProcess } from '../../scripts/lib/launcher.ts'
import { freePort } from '../../scripts/lib/processes.ts'
import { runCaptured } from '../../scripts/lib/run-captured.ts'
import type { SectionContext } from '../context.ts'
import { type Backends, mysqlConnection, redisClient } from './backends.ts'
import { startServer } from './hosts.ts'
import { EMAIL_DOMAIN } from './visitor.ts'

const COPY = join(tmpdir(), 'edge-status-bench-peer-app')

/** How to add a peer, printed when a comparing section runs without one. */
export const NO_PEER_HINT =
  "no peer to compare with: --peer <folder|url> adds one (the tutorial app's folder, or any " +
  'server speaking its routes); see bench/README.md'

export const isUrl = (peer: string) => /^https?:\/\//i.test(peer)

/** `pid`: the tutorial's process, for CPU accounting (not an external peer's). */
type Peer = { url: string; label: string; pid?: number; stop(): Promise<void> }

/**
 * --peer: none; a URL (a server speaking the tutorial's routes; none when a delay is asked, as
 * it cannot be delayed); a folder: the tutorial app, its backends `delayMs` away each way if given.
 * Stopping the tutorial removes what the bench's users left in its schema and in Redis database 0.
 */
export async function startPeer(c: SectionContext, delayMs?: number): Promise<Peer | undefined> {
  const { backends, log } = c
  const { peer } = c.options
  if (!peer) return undefined
  if (isUrl(peer)) {
    if (delayMs !== undefined) return undefined
    return { url: peer.replace(/\/$/, ''), label: `peer at ${peer}`, stop: async () => {} }
  }
  await install(resolve(peer), backends.mysqlUrl, log)
  const proxies: { stop(): Promise<void> }[] = []
  const stopProxies = () => Promise.all(proxies.map((proxy) => proxy.stop()))
  const backend = async (url: string, defaultPort: number) => {
    const { hostname, port } = new URL(url)
    const at = { host: hostname || '127.0.0.1', port: Number(port || defaultPort) }
    if (delayMs === undefined) return at
    const proxy = await startServer(['delay', at.host, String(at.port), String(delayMs)])
    proxies.push(proxy)
    return { host: '127.0.0.1', port: proxy.port }
  }
  try {
    const redis = await backend(backends.redisUrl, 6379)
    const mysql = await backend(backends.mysqlUrl, 3306)
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const tutorial = await new OwnedProcess({
      name: 'tutorial app',
      command: process.execPath,
      args: ['./bin'],
      cwd: COPY,
      env: {
        ...process.env,
        PORT: String(port),
        MYSQL_HOST: mysql.host,
        MYSQL_PORT: String(mysql.port),
        REDIS_HOST: redis.host,
        REDIS_PORT: String(redis.port),
      },
      output: 'capture',
      ready: { probe: () => httpAnswers(`${url}/`) },
    }).start()
    log(`tutorial app: pid ${tutorial.pid} on ${url}`)
    return {
      url,
      label: `tutorial app from ${peer} (Express, started by the bench)`,
      pid: tutorial.pid,
      stop: async () => {
        await tutorial.stop()
        await removeBenchUsers(backends, log)
        await stopProxies()
      },
    }
  } catch (error) {
    await stopProxies()
    throw error
  }
}

/** Copies the tutorial, installs it (only when its lockfile changed), applies its schema. */
async function install(source: string, mysqlUrl: string, log: (line: string) => void) {
  const missing = ['bin', 'schema.sql', 'package-lock.json'].filter(
    (f) => !existsSync(join(source, f))
  )
  if (missing.length > 0) {
    throw new Error(`--peer ${source}: not the tutorial app's folder (no ${missing.join(', ')})`)
  }
  const lock = (path: string) => readFile(join(path, 'package-lock.json'), 'utf8').catch(() => '')
  const installed = (await lock(COPY)) === (await lock(source))
  await cp(source, COPY, {
    recursive: true,
    filter: (path) => !/[\\/](node_modules|run)([\\/]|$)/.test(path.slice(source.length)),
  })
  const modules = await readFile(join(COPY, 'node_modules', '.package-lock.json')).catch(() => null)
  if (!installed || !modules) {
    log(`tutorial app: npm ci in ${COPY}`)
    const args = ['ci', '--no-audit', '--no-fund', '--loglevel=error']
    await runCaptured('npm', args, { cwd: COPY })
  }
  const mysql = await createConnection({ uri: mysqlUrl, multipleStatements: true })
  await mysql.query(await readFile(join(COPY, 'schema.sql'), 'utf8')).finally(() => mysql.end())
}

/**
 * Removes the bench's users (by email domain) and their statuses from the tutorial's schema, and
 * their sessions from Redis database 0 (connect-redis, TTL 260 s), next to dev data, now.
 */
async function removeBenchUsers(backends: Backends, log: (line: string) => void) {
  const suffix = `@${EMAIL_DOMAIN}`
  const mysql = await mysqlConnection(backends.mysqlUrl, 'redis_demo')
  try {
    await mysql.query(
      'DELETE s FROM user_status s JOIN user_login u ON u.user_id = s.user_id WHERE u.user_email LIKE ?',
      [`%${suffix}`]
    )
    await mysql.query('DELETE FROM user_login WHERE user_email LIKE ?', [`%${suffix}`])
  } finally {
    await mysql.end()
  }
  const redis = redisClient(backends.redisUrl, 0)
  let deleted = 0
  try {
    for await (const found of redis.scanStream({ match: 'sess:*', count: 1000 })) {
      const keys = found as string[]
      if (keys.length === 0) continue
      const values = await redis.mget(...keys)
      const ours = keys.filter((_, i) => values[i]?.includes(suffix))
      if (ours.length > 0) deleted += await redis.del(...ours)
    }
  } finally {
    await redis.quit()
  }
  log(`tutorial app: removed ${deleted} sessions of bench users from Redis database 0`)
}
