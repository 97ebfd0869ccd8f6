import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { LaunchError, OwnedProcess } from '../lib/launcher.ts'
import {
  abortError,
  commandLine,
  freePort,
  isAlive,
  isRunning,
  terminate,
} from '../lib/processes.ts'
import { mariadbInstallArgs, mariadbServerArgs } from './mariadb-args.ts'
import { type Probe, probeMysql, probeRedis } from './probes.ts'

/** A Redis or MariaDB server of our own, data under the git-ignored .local/ folder. */
export interface PrivateInstance {
  url: string
  pid: number
  /** false when another live `npm run services` started it; then stop() leaves it running. */
  owned: boolean
  stop(): Promise<void>
}

export interface PrivateOptions {
  /** e.g. <repo>/.local */
  localDir: string
  log: (line: string) => void
  signal?: AbortSignal
}

/** One of several servers of a kind (a replication pair): its own name and extra arguments. */
export interface InstanceRole {
  /** names its folder (MariaDB) and run records, e.g. "primary" */
  name: string
  args: string[]
}

/** Written beside each instance so a later run can find one whose owner died (kill -9, crash). */
interface InstanceRecord {
  pid: number
  port: number
  owner: number
}

interface Kind {
  name: 'redis' | 'mariadb'
  /** names its run records: the kind, or e.g. "mariadb-replica" for one of a pair */
  recordName: string
  url(port: number): string
  probe(url: string): Promise<Probe>
  /** Is this command line the instance the record describes? (guards against pid reuse) */
  matches(command: string, record: InstanceRecord): boolean
  /** The server's command line for this port. */
  command(port: number): { command: string; args: string[] }
  logFile: string
  startupMs: number
  stopGraceMs: number
}

const PORT_IN_USE = /address already in use|bind on tcp\/ip port/i

export async function startPrivateRedis(
  redisServer: string,
  options: PrivateOptions,
  role?: InstanceRole
): Promise<PrivateInstance> {
  // A folder per server: each keeps its append-only file there.
  const dir = resolve(options.localDir, role ? `redis-${role.name}` : 'redis')
  mkdirSync(dir, { recursive: true })
  const logFile = join(dir, 'redis.log')
  const kind: Kind = {
    name: 'redis',
    recordName: role ? `redis-${role.name}` : 'redis',
    url: (port) => `redis://127.0.0.1:${port}`,
    probe: (url) => probeRedis(url, 500),
    // redis-server rewrites its title to "redis-server 127.0.0.1:PORT".
    matches: (command, record) =>
      command.includes('redis-server') && command.includes(`:${record.port}`),
    command: (port) => ({
      command: redisServer,
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        // Durable as Upstash is: an append-only file, synced every second, kept across restarts.
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
      ].concat(['--dir', dir, '--daemonize', 'no'], role?.args ?? []),
    }),
    logFile,
    startupMs: 10_000,
    stopGraceMs: 10_000,
  }
  return shareOrLaunch(kind, 'Redis', options)
}

/** One data folder, one server: a live instance of another services process is shared, not doubled. */
async function shareOrLaunch(
  kind: Kind,
  label: string,
  options: PrivateOptions,
  prepare?: () => Promise<void>
): Promise<PrivateInstance> {
  const shared = await sweep(kind, options)
  for (const record of shared) {
    const url = kind.url(record.port)
    if ((await kind.probe(url)).status === 'up') {
      options.log(`using the private ${label} of process ${record.owner} at ${url}`)
      return { url, pid: record.pid, owned: false, stop: async () => {} }
    }
  }
  await prepare?.()
  return launch(kind, options)
}

export interface MariadbBinaries {
  mariadbd: string
  /** needed only the first time, to create the data folder */
  installDb: string | undefined
}

export async function startPrivateMariadb(
  binaries: MariadbBinaries,
  options: PrivateOptions,
  role?: InstanceRole
): Promise<PrivateInstance> {
  const localDir = resolve(options.localDir)
  const base = role ? `mysql-${role.name}` : 'mysql'
  const datadir = join(localDir, base)
  const logFile = join(localDir, `${base}.log`)
  mkdirSync(localDir, { recursive: true })
  // Unix sockets are limited to ~104 bytes; mariadbd needs its own one so it never touches the system one.
  let socket = join(localDir, `${base}.sock`)
  if (Buffer.byteLength(socket) > 100) {
    const hash = createHash('sha256').update(datadir).digest('hex').slice(0, 12)
    socket = join(tmpdir(), `edge-status-${hash}.sock`)
  }
  const kind: Kind = {
    name: 'mariadb',
    recordName: role ? `mariadb-${role.name}` : 'mariadb',
    url: (port) => `mysql://root@127.0.0.1:${port}`,
    probe: (url) => probeMysql(url, 1000),
    matches: (command) => command.includes(`--datadir=${datadir}`),
    command: (port) => ({
      command: binaries.mariadbd,
      args: mariadbServerArgs({
        datadir,
        socket,
        port,
        pidFile: join(localDir, `${base}.pid`),
        bufferPool: '64M',
        extra: role?.args,
      }),
    }),
    logFile,
    startupMs: 60_000,
    stopGraceMs: 30_000,
  }
  return shareOrLaunch(kind, 'MariaDB', options, async () => {
    if (existsSync(join(datadir, 'mysql'))) return
    if (!binaries.installDb)
      throw new Error('mariadb-install-db not found (it comes with mariadbd)')
    await install(binaries.installDb, datadir, logFile, options)
  })
}

/** mariadb-install-db into a temporary folder, renamed on success: a half-made datadir never stays. */
async function install(
  installDb: string,
  datadir: string,
  serverLog: string,
  options: PrivateOptions
): Promise<void> {
  const temporary = `${datadir}.installing`
  rmSync(temporary, { recursive: true, force: true })
  rmSync(datadir, { recursive: true, force: true })
  const logFile = serverLog.replace(/\.log$/, '-install.log')
  options.log(`creating a MariaDB data folder in ${datadir}`)
  const installer = await new OwnedProcess({
    name: 'mariadb-install-db',
    command: installDb,
    args: mariadbInstallArgs(temporary),
    output: { file: logFile },
  }).start()
  const outcome = await Promise.race([installer.exited, aborted(options.signal)])
  if (outcome === ABORTED) {
    await installer.stop()
    rmSync(temporary, { recursive: true, force: true })
    throw abortError(options.signal)
  }
  if (outcome !== 0) {
    throw new Error(`mariadb-install-db failed (${outcome}):\n${installer.output()}`)
  }
  renameSync(temporary, datadir)
}

async function launch(kind: Kind, options: PrivateOptions): Promise<PrivateInstance> {
  const runDir = join(resolve(options.localDir), 'run')
  mkdirSync(runDir, { recursive: true })
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const url = kind.url(port)
    let recordFile = ''
    const server = new OwnedProcess({
      name: kind.name,
      ...kind.command(port),
      output: { file: kind.logFile },
      ready: { probe: async () => (await kind.probe(url)).status === 'up' },
      startupMs: kind.startupMs,
      stopGraceMs: kind.stopGraceMs,
      // Before it is ready: a run killed now still leaves a record for the next one to sweep.
      onSpawn: (pid) => {
        recordFile = join(runDir, `${kind.recordName}-${pid}.json`)
        writeFileSync(recordFile, JSON.stringify({ pid, port, owner: process.pid }))
      },
    })
    const stop = async () => {
      await server.stop()
      if (recordFile) rmSync(recordFile, { force: true })
    }
    try {
      await server.start(options.signal)
    } catch (error) {
      if (recordFile) rmSync(recordFile, { force: true })
      if (!(error instanceof LaunchError)) throw error
      if (attempt < 3 && PORT_IN_USE.test(server.output())) continue
      throw new Error(`${error.message}\n(log: ${kind.logFile})`)
    }
    const pid = server.pid as number
    options.log(`started a private ${kind.recordName} (pid ${pid}) at ${url}`)
    return { url, pid, owned: true, stop }
  }
}

/** Stops instances whose owner died; returns those whose owner is alive. */
async function sweep(kind: Kind, options: PrivateOptions): Promise<InstanceRecord[]> {
  const runDir = join(resolve(options.localDir), 'run')
  if (!existsSync(runDir)) return []
  const live: InstanceRecord[] = []
  for (const name of readdirSync(runDir)) {
    if (!new RegExp(`^${kind.recordName}-\\d+\\.json$`).test(name)) continue
    const file = join(runDir, name)
    let record: InstanceRecord
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as InstanceRecord
    } catch {
      rmSync(file, { force: true })
      continue
    }
    const running = isAlive(record.pid) && kind.matches(await commandLine(record.pid), record)
    // This process counts as a live owner too: startServices() may run twice in one test process.
    if (running && (await isRunning(record.owner))) {
      live.push(record)
      continue
    }
    if (running) {
      options.log(`stopping a ${kind.name} left running by an earlier run (pid ${record.pid})`)
      await terminate(record.pid, kind.stopGraceMs)
    }
    rmSync(file, { force: true })
  }
  return live
}

const ABORTED = Symbol('aborted')

function aborted(signal: AbortSignal | undefined): Promise<typeof ABORTED> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve(ABORTED)
    signal?.addEventListener('abort', () => resolve(ABORTED), { once: true })
  })
}
