// The comparison peer: the 2015 tutorial app (shared/peers/tutorial-app), copied to a private
// folder, installed with `npm ci`, its schema applied, and its program (what its start.sh runs)
// started with the launcher on a free port. It talks to Redis and MariaDB directly (Redis
// database 0, schema redis_demo).
import { cp, mkdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createConnection } from 'mysql2/promise'
import { httpAnswers, OwnedProcess } from '../../lib/launcher.ts'
import { freePort } from '../../lib/processes.ts'
import { runCaptured } from '../../lib/run-captured.ts'
import { type Backends, redisClient } from './backends.ts'
import { EMAIL_DOMAIN } from './journey.ts'

export interface RunningPeer {
  url: string
  /** 'tutorial app (started by the bench)' or the --peer URL */
  label: string
  /** when the bench started it: its process, for CPU accounting */
  pid?: number
  stop(): Promise<void>
}

const TUTORIAL_DIR = join(tmpdir(), 'edge-status-bench-tutorial-app')

/** host:port the tutorial connects to, when not the backends themselves (a delay proxy). */
export interface TutorialRoutes {
  redis?: { host: string; port: number }
  mysql?: { host: string; port: number }
}

/** Copies, installs (only when its lockfile changed), applies the schema, starts it. */
async function startTutorial(
  sourceDir: string,
  backends: Backends,
  log: (line: string) => void,
  via: TutorialRoutes = {}
): Promise<RunningPeer> {
  const { mysqlUrl } = backends
  const source = resolve(sourceDir)
  const lock = await readFile(join(source, 'package-lock.json'), 'utf8')
  const installedLock = await readFile(join(TUTORIAL_DIR, 'package-lock.json'), 'utf8').catch(
    () => ''
  )
  await mkdir(TUTORIAL_DIR, { recursive: true })
  await cp(source, TUTORIAL_DIR, {
    recursive: true,
    filter: (path) => !/[\\/](node_modules|run)([\\/]|$)/.test(path.slice(source.length)),
  })
  if (
    installedLock !== lock ||
    !(await readFile(join(TUTORIAL_DIR, 'node_modules', '.package-lock.json')).catch(() => null))
  ) {
    log(`tutorial app: npm ci in ${TUTORIAL_DIR}`)
    await runCaptured('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: TUTORIAL_DIR,
    })
  }
  const schema = await readFile(join(TUTORIAL_DIR, 'schema.sql'), 'utf8')
  const mysql = await createConnection({ uri: mysqlUrl, multipleStatements: true })
  try {
    await mysql.query(schema)
  } finally {
    await mysql.end()
  }
  const port = await freePort()
  const mysqlAt = via.mysql ?? hostPort(mysqlUrl, 3306)
  const redis = via.redis ?? hostPort(backends.redisUrl, 6379)
  const url = `http://127.0.0.1:${port}`
  const tutorial = await new OwnedProcess({
    name: 'tutorial app',
    command: process.execPath,
    args: ['./bin'],
    cwd: TUTORIAL_DIR,
    env: {
      ...process.env,
      PORT: String(port),
      MYSQL_HOST: mysqlAt.host,
      MYSQL_PORT: String(mysqlAt.port),
      REDIS_HOST: redis.host,
      REDIS_PORT: String(redis.port),
    },
    output: 'capture',
    ready: { probe: () => httpAnswers(`${url}/`) },
  }).start()
  log(`tutorial app: pid ${tutorial.pid} on ${url}`)
  return {
    url,
    label: 'tutorial app (Express, started by the bench)',
    pid: tutorial.pid,
    stop: () => tutorial.stop(),
  }
}

function hostPort(url: string, defaultPort: number) {
  const parsed = new URL(url)
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || defaultPort) }
}

/**
 * The comparison peer a section asked for: undefined starts the tutorial (and its stop() removes
 * what the bench's users left in its schema and in Redis database 0), 'none' is no peer, anything
 * else the URL of a server speaking the tutorial's routes.
 */
export async function startPeer(
  peer: string | undefined,
  options: { root: string; backends: Backends; log: (line: string) => void },
  via: TutorialRoutes = {}
): Promise<RunningPeer | undefined> {
  if (peer === 'none') return undefined
  if (peer !== undefined) return externalPeer(peer)
  const { backends, log } = options
  const source = join(options.root, '..', 'shared', 'peers', 'tutorial-app')
  const tutorial = await startTutorial(source, backends, log, via)
  return {
    ...tutorial,
    stop: async () => {
      await tutorial.stop()
      await cleanTutorialData(backends.mysqlUrl, `@${EMAIL_DOMAIN}`)
      const sessions = await cleanTutorialSessions(backends.redisUrl, `@${EMAIL_DOMAIN}`)
      log(`tutorial app: removed ${sessions} sessions of bench users from Redis database 0`)
    },
  }
}

export function externalPeer(url: string): RunningPeer {
  return { url: url.replace(/\/$/, ''), label: `peer at ${url}`, stop: async () => {} }
}

/** Removes the bench's users (by email domain) and their statuses from the tutorial schema. */
async function cleanTutorialData(mysqlUrl: string, emailSuffix: string): Promise<void> {
  const mysql = await createConnection({ uri: mysqlUrl, database: 'redis_demo' })
  try {
    const pattern = `%${emailSuffix}`
    await mysql.query(
      'DELETE s FROM user_status s JOIN user_login u ON u.user_id = s.user_id WHERE u.user_email LIKE ?',
      [pattern]
    )
    await mysql.query('DELETE FROM user_login WHERE user_email LIKE ?', [pattern])
  } finally {
    await mysql.end()
  }
}

/**
 * The tutorial keeps its sessions in Redis database 0 (connect-redis, TTL 260 s), next to dev
 * data: delete the ones whose stored user has the bench's email domain, not waiting for the TTL.
 */
async function cleanTutorialSessions(redisUrl: string, emailSuffix: string): Promise<number> {
  const redis = redisClient(redisUrl, 0)
  let deleted = 0
  try {
    for await (const keys of redis.scanStream({ match: 'sess:*', count: 1000 })) {
      if (keys.length === 0) continue
      const values = await redis.mget(...(keys as string[]))
      const ours = (keys as string[]).filter((_, i) => values[i]?.includes(emailSuffix))
      if (ours.length > 0) deleted += await redis.del(...ours)
    }
  } finally {
    await redis.quit()
  }
  return deleted
}
