// A private Redis, MariaDB and both gateways (their command lines), each a process of its own that
// the fault tests may kill, freeze and start again on the same port. Never the shared servers on
// 6379/3306.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gatewayProcess, planetscaleArgs, upstashArgs } from '../../../scripts/lib/gateways.ts'
import { OwnedProcess } from '../../../scripts/lib/launcher.ts'
import { findBinary, freePort } from '../../../scripts/lib/processes.ts'
import { mariadbInstallArgs, mariadbServerArgs } from '../../../scripts/local/mariadb-args.ts'
import { probeMysql, probeRedis } from '../../../scripts/local/probes.ts'
import { migrate } from '../../../scripts/migrate.ts'
import type { Action, ClusterInfo, Part } from './protocol.ts'

const DATABASE = 'edge_status_faults'

function need(binary: string): string {
  const path = findBinary(binary)
  if (!path) throw new Error(`${binary} is not installed (the fault tests start their own)`)
  return path
}

async function installMariadb(datadir: string, logFile: string): Promise<void> {
  const installer = await new OwnedProcess({
    name: 'mariadb-install-db',
    command: need('mariadb-install-db'),
    args: mariadbInstallArgs(datadir),
    output: { file: logFile },
  }).start()
  const code = await installer.exited
  if (code !== 0) throw new Error(`mariadb-install-db failed (${code}):\n${installer.output()}`)
}

/** Everything lives in a temporary folder, removed by close(). */
export class Cluster {
  readonly parts: Record<Part, OwnedProcess>
  readonly info: ClusterInfo
  private readonly dir: string

  private constructor(dir: string, parts: Record<Part, OwnedProcess>, info: ClusterInfo) {
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
    const parts: Record<Part, OwnedProcess> = {
      // Acknowledged writes survive a crash, as they do on Upstash.
      redis: new OwnedProcess({
        name: 'redis',
        command: need('redis-server'),
        args: [
          ...['--port', String(redisPort), '--bind', '127.0.0.1', '--save', ''],
          ...['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
        ],
        output: { file: join(dir, 'redis.log') },
        ready: { probe: async () => (await probeRedis(redisUrl, 500)).status === 'up' },
        startupMs: 10_000,
        stopGraceMs: 5000,
      }),
      mariadb: new OwnedProcess({
        name: 'mariadb',
        command: need('mariadbd'),
        args: mariadbServerArgs({
          datadir: join(dir, 'mysql'),
          socket: join(dir, 'mysql.sock'),
          pidFile: join(dir, 'mysql.pid'),
          port: mysqlPort,
          bufferPool: '32M',
        }),
        output: { file: join(dir, 'mysql.log') },
        ready: { probe: async () => (await probeMysql(mysqlUrl, 500)).status === 'up' },
        startupMs: 60_000,
        stopGraceMs: 5000,
      }),
      // A frozen Redis is noticed well within the tests' patience.
      upstash: gatewayProcess(
        'upstash',
        upstashArgs({ redisUrl, tokens: { [token]: 0 }, port: upstashPort, commandTimeoutMs: 2000 })
      ),
      planetscale: gatewayProcess(
        'planetscale',
        planetscaleArgs({
          mysqlUrl,
          users: { faults: { password, database: DATABASE } },
          port: planetscalePort,
        })
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

  /** Teardown: graceful, but never long (a frozen backend could hold a gateway's close up). */
  async close(): Promise<void> {
    const { upstash, planetscale, redis, mariadb } = this.parts
    await Promise.all([upstash.stop(2000), planetscale.stop(2000)])
    await Promise.all([redis.stop(), mariadb.stop()])
    rmSync(this.dir, { recursive: true, force: true })
  }
}
