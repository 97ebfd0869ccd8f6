// A private Redis, MariaDB and both gateways, each a child process that the fault tests may kill,
// freeze and restart on the same port. Never the shared servers on 6379/3306.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  probeMysql,
  probePlanetScale,
  probeRedis,
  probeUpstash,
} from '../../../scripts/local/probes.ts'
import {
  type Daemon,
  findBinary,
  freePort,
  sleep,
  startDaemon,
} from '../../../scripts/local/processes.ts'
import { migrate } from '../../../scripts/migrate.ts'
import type { Action, ClusterInfo, Part } from './protocol.ts'

const GATEWAY_PROCESS = resolve(import.meta.dirname, 'gateway-process.ts')
const DATABASE = 'edge_status_faults'

/** One server process that can be killed (SIGKILL), frozen (SIGSTOP) and started again. */
class Restartable {
  private daemon: Daemon | undefined
  private paused = false
  readonly name: Part
  private readonly command: string
  private readonly args: string[]
  private readonly logFile: string
  private readonly isUp: () => Promise<boolean>
  private readonly startupMs: number

  constructor(
    name: Part,
    command: string,
    args: string[],
    logFile: string,
    isUp: () => Promise<boolean>,
    startupMs: number
  ) {
    this.name = name
    this.command = command
    this.args = args
    this.logFile = logFile
    this.isUp = isUp
    this.startupMs = startupMs
  }

  async start(): Promise<void> {
    if (this.daemon) return
    const daemon = startDaemon(this.command, this.args, this.logFile)
    this.daemon = daemon
    let exit: number | string | undefined
    void daemon.exited.then((code) => {
      exit = code
    })
    const deadline = Date.now() + this.startupMs
    while (!(await this.isUp())) {
      if (exit !== undefined || Date.now() > deadline) {
        await this.kill()
        throw new Error(`${this.name} did not start (${exit ?? 'timeout'}):\n${this.logTail()}`)
      }
      await sleep(50)
    }
  }

  /** A crash: no shutdown work, connections reset. */
  async kill(): Promise<void> {
    const daemon = this.daemon
    if (!daemon) return
    this.daemon = undefined
    this.paused = false
    daemon.child.kill('SIGKILL')
    await daemon.exited
  }

  /** Frozen: the port still accepts connections, but nothing answers. */
  pause(): void {
    if (!this.daemon) throw new Error(`${this.name} is not running`)
    this.daemon.child.kill('SIGSTOP')
    this.paused = true
  }

  resume(): void {
    if (!this.daemon) throw new Error(`${this.name} is not running`)
    this.daemon.child.kill('SIGCONT')
    this.paused = false
  }

  async stop(): Promise<void> {
    if (this.paused) this.resume()
    const daemon = this.daemon
    this.daemon = undefined
    await daemon?.stop(5000)
  }

  private logTail(): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n')
    } catch {
      return '(no log)'
    }
  }
}

function need(binary: string): string {
  const path = findBinary(binary)
  if (!path) throw new Error(`${binary} is not installed (the fault tests start their own)`)
  return path
}

async function installMariadb(datadir: string, logFile: string): Promise<void> {
  const installer = startDaemon(
    need('mariadb-install-db'),
    [
      '--no-defaults',
      `--datadir=${datadir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...(process.getuid?.() === 0 ? ['--user=root'] : []),
    ],
    logFile
  )
  const code = await installer.exited
  if (code !== 0) throw new Error(`mariadb-install-db failed (${code}):\n${readFileSync(logFile)}`)
}

/** Everything lives in a temporary folder, removed by close(). */
export class Cluster {
  readonly parts: Record<Part, Restartable>
  readonly info: ClusterInfo
  private readonly dir: string

  private constructor(dir: string, parts: Record<Part, Restartable>, info: ClusterInfo) {
    this.dir = dir
    this.parts = parts
    this.info = info
  }

  static async start(): Promise<Cluster> {
    const dir = mkdtempSync(join(tmpdir(), 'edge-faults-'))
    const [redisPort, mysqlPort, upstashPort, planetscalePort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ])
    const redisUrl = `redis://127.0.0.1:${redisPort}`
    const mysqlUrl = `mysql://root@127.0.0.1:${mysqlPort}`
    const token = `faults-${randomBytes(12).toString('hex')}`
    const password = randomBytes(12).toString('hex')
    const info: ClusterInfo = {
      upstashUrl: `http://127.0.0.1:${upstashPort}`,
      upstashToken: token,
      databaseUrl: `http://faults:${password}@127.0.0.1:${planetscalePort}`,
    }
    const gateway = (spec: object) => [GATEWAY_PROCESS, JSON.stringify(spec)]
    const parts: Record<Part, Restartable> = {
      // Acknowledged writes survive a crash, as they do on Upstash.
      redis: new Restartable(
        'redis',
        need('redis-server'),
        [
          '--port',
          String(redisPort),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--dir',
          dir,
        ],
        join(dir, 'redis.log'),
        async () => (await probeRedis(redisUrl, 500)).status === 'up',
        10_000
      ),
      mariadb: new Restartable(
        'mariadb',
        need('mariadbd'),
        [
          '--no-defaults',
          `--datadir=${join(dir, 'mysql')}`,
          `--socket=${join(dir, 'mysql.sock')}`,
          `--port=${mysqlPort}`,
          '--bind-address=127.0.0.1',
          `--pid-file=${join(dir, 'mysql.pid')}`,
          '--skip-name-resolve',
          '--skip-log-bin',
          '--innodb-buffer-pool-size=32M',
          ...(process.getuid?.() === 0 ? ['--user=root'] : []),
        ],
        join(dir, 'mysql.log'),
        async () => (await probeMysql(mysqlUrl, 500)).status === 'up',
        60_000
      ),
      upstash: new Restartable(
        'upstash',
        process.execPath,
        gateway({ kind: 'upstash', port: upstashPort, redisUrl, tokens: { [token]: 0 } }),
        join(dir, 'upstash.log'),
        async () => (await probeUpstash(info.upstashUrl, token, 500)).status === 'up',
        15_000
      ),
      planetscale: new Restartable(
        'planetscale',
        process.execPath,
        gateway({
          kind: 'planetscale',
          port: planetscalePort,
          mysqlUrl,
          users: { faults: { password, database: DATABASE } },
        }),
        join(dir, 'planetscale.log'),
        async () => (await probePlanetScale(info.databaseUrl, 500)).status === 'up',
        15_000
      ),
    }
    const cluster = new Cluster(dir, parts, info)
    try {
      await installMariadb(join(dir, 'mysql'), join(dir, 'install.log'))
      await Promise.all([parts.redis.start(), parts.mariadb.start()])
      await Promise.all([parts.upstash.start(), parts.planetscale.start()])
      await migrate(info.databaseUrl)
    } catch (error) {
      await cluster.close()
      throw error
    }
    return cluster
  }

  async act(part: Part, action: Action): Promise<void> {
    const target = this.parts[part]
    if (action === 'kill') await target.kill()
    else if (action === 'start') await target.start()
    else if (action === 'pause') target.pause()
    else target.resume()
  }

  async close(): Promise<void> {
    const { upstash, planetscale, redis, mariadb } = this.parts
    await Promise.all([upstash.stop(), planetscale.stop()])
    await Promise.all([redis.stop(), mariadb.stop()])
    rmSync(this.dir, { recursive: true, force: true })
  }
}
