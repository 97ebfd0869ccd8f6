// startServices(): the gateways on ephemeral ports in front of the running Redis and MariaDB, reuse
// of running gateways, and private instances under a temporary .local/ when a server is missing.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@planetscale/database'
import { Redis } from '@upstash/redis'
import { afterAll, afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { freePort, isAlive } from '../../scripts/lib/processes.ts'
import { probeMysql, probeRedis, probeUpstash } from '../../scripts/local/probes.ts'
import {
  type Services,
  ServicesError,
  type ServicesOptions,
  startServices,
} from '../../scripts/services.ts'
import { MYSQL_URL, REDIS_URL } from './backends.ts'

/** Apart from dev data (db 0, edge_status) and the other suites' databases. */
const REDIS_DB = 6
const DATABASE = 'edge_status_services_test'
const MIGRATIONS = readdirSync('migrations').filter((name) => name.endsWith('.sql'))

const running: Services[] = []
const tempDirs: string[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((services) => services.stop()))
})

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

function localDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'services-test-'))
  tempDirs.push(dir)
  return dir
}

async function start(
  options: ServicesOptions = {}
): Promise<{ services: Services; log: string[] }> {
  const log: string[] = []
  const services = await startServices({
    redisUrl: REDIS_URL,
    mysqlUrl: MYSQL_URL,
    upstashPort: 0,
    planetscalePort: 0,
    redisDb: REDIS_DB,
    database: DATABASE,
    privateInstances: false,
    log: (line) => log.push(line),
    ...options,
  })
  running.push(services)
  return { services, log }
}

/** A URL on this machine where nothing listens. */
async function deadUrl(scheme: 'redis' | 'mysql'): Promise<string> {
  return `${scheme}://root@127.0.0.1:${await freePort()}`.replace('redis://root@', 'redis://')
}

async function roundTrip(services: Services): Promise<void> {
  const redis = new Redis({ url: services.upstashUrl, token: services.upstashToken })
  const key = `test:services:${randomUUID()}`
  await redis.set(key, { hello: 'world' }, { ex: 60 })
  expect(await redis.get(key), `GET ${key} through ${services.upstashUrl}`).toEqual({
    hello: 'world',
  })
  await redis.del(key)
  const result = await new Client({ url: services.databaseUrl }).execute('select 1 as one')
  expect(result.rows, `select 1 through ${services.databaseUrl}`).toEqual([{ one: '1' }])
}

describe('startServices with the running Redis and MariaDB', () => {
  it('starts both gateways, applies the migrations, and the official clients work', async () => {
    const { services, log } = await start()
    expect(services.redisUrl, 'the running Redis is reused').toBe(REDIS_URL)
    expect(services.mysqlUrl, 'the running MariaDB is reused').toBe(MYSQL_URL)
    expect(services.gateways.upstash, 'Upstash gateway started').toBeDefined()
    expect(services.gateways.planetscale, 'PlanetScale gateway started').toBeDefined()
    expect(services.upstashToken).toBe('dev-token')
    expect(services.databaseUrl).toMatch(/^http:\/\/app:app-dev-password@127\.0\.0\.1:\d+$/)
    await roundTrip(services)

    const client = new Client({ url: services.databaseUrl })
    const applied = await client.execute('select name from schema_migrations order by name')
    const names = (applied.rows as { name: string }[]).map((row) => row.name)
    expect(names, `schema_migrations in ${DATABASE}; log: ${log.join(' | ')}`).toEqual(
      expect.arrayContaining(MIGRATIONS)
    )
  })

  it('stop() closes both gateways and can be called twice', async () => {
    const { services } = await start({ migrate: false })
    const { upstashUrl, databaseUrl } = services
    await services.stop()
    await services.stop()
    const upstash = await probeUpstash(upstashUrl, services.upstashToken)
    expect(upstash.status, `${upstashUrl} after stop()`).toBe('down')
    const port = new URL(databaseUrl).port
    await expect(
      fetch(`http://127.0.0.1:${port}/`),
      'PlanetScale gateway after stop()'
    ).rejects.toThrow()
  })

  it('passes an added latency to both gateways (option, else GATEWAY_LATENCY_MS)', async () => {
    process.env.GATEWAY_LATENCY_MS = '80'
    onTestFinished(() => {
      delete process.env.GATEWAY_LATENCY_MS
    })
    const { services } = await start({ migrate: false })
    expect(services.latencyMs).toBe(80)
    const redis = new Redis({ url: services.upstashUrl, token: services.upstashToken })
    const sql = new Client({ url: services.databaseUrl })
    for (const [what, call] of [
      ['Upstash', () => redis.ping()],
      ['PlanetScale', () => sql.execute('select 1')],
    ] as const) {
      const began = performance.now()
      await call()
      expect(performance.now() - began, what).toBeGreaterThanOrEqual(78)
    }
    const { services: quick } = await start({ migrate: false, latencyMs: 0 })
    expect(quick.gateways.upstash?.spec.args, 'the option wins').toContain('--latency-ms')
    delete process.env.GATEWAY_LATENCY_MS
    const { services: plain } = await start({ migrate: false })
    expect(plain.gateways.upstash?.spec.args, 'the gateways own env applies').not.toContain(
      '--latency-ms'
    )
  })

  it('reuses gateways already answering on its ports, and leaves them running on stop()', async () => {
    const { services: first } = await start()
    const upstashPort = Number(new URL(first.upstashUrl).port)
    const planetscalePort = Number(new URL(first.databaseUrl).port)
    // Nothing may be needed from Redis or MySQL: both URLs point nowhere.
    const { services: second, log } = await start({
      upstashPort,
      planetscalePort,
      redisUrl: await deadUrl('redis'),
      mysqlUrl: await deadUrl('mysql'),
    })
    expect(
      log.filter((line) => line.includes('reusing it')),
      log.join(' | ')
    ).toHaveLength(2)
    expect(second.gateways, 'nothing started').toEqual({
      upstash: undefined,
      planetscale: undefined,
    })
    expect(second.upstashUrl).toBe(first.upstashUrl)
    expect(second.databaseUrl).toBe(first.databaseUrl)
    await second.stop()
    await roundTrip(first)
  })

  it('refuses a fixed port held by something that is not our gateway', async () => {
    const stranger: Server = createServer((_req, res) => res.writeHead(404).end('not found'))
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve))
    const port = (stranger.address() as { port: number }).port
    try {
      const attempt = start({ upstashPort: port })
      await expect(attempt).rejects.toThrow(ServicesError)
      await expect(attempt).rejects.toThrow(
        `port ${port} is in use, but not by our Upstash gateway`
      )
    } finally {
      stranger.close()
    }
  })

  it('fails with install instructions when Redis is missing and redis-server is not installed', async () => {
    const path = process.env.PATH
    process.env.PATH = '/nonexistent'
    try {
      const attempt = start({ redisUrl: await deadUrl('redis'), privateInstances: true })
      await expect(attempt).rejects.toThrow(/redis-server is not installed/)
      await expect(attempt).rejects.toThrow('sudo apt-get install redis-server mariadb-server')
      await expect(attempt).rejects.toThrow('brew install redis mariadb')
    } finally {
      process.env.PATH = path
    }
  })

  it('never replaces a server that answers wrongly (here: MySQL where Redis is expected)', async () => {
    const wrong = MYSQL_URL.replace(/^mysql:\/\/[^@]*@/, 'redis://')
    const attempt = start({ redisUrl: wrong, privateInstances: true, localDir: localDir() })
    await expect(attempt).rejects.toThrow(/not as a usable Redis/)
  })
})

describe('private instances', () => {
  it('starts a private Redis when none answers, and stops it on stop()', async () => {
    const dir = localDir()
    const missing = await deadUrl('redis')
    const { services, log } = await start({
      redisUrl: missing,
      privateInstances: true,
      localDir: dir,
      migrate: false,
    })
    const privateUrl = services.redisUrl ?? ''
    expect(privateUrl, log.join(' | ')).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/)
    expect(privateUrl).not.toBe(missing)
    expect((await probeRedis(privateUrl)).status, `${privateUrl} answers`).toBe('up')
    const records = readdirSync(join(dir, 'run'))
    expect(records, 'one instance record').toHaveLength(1)
    const record = JSON.parse(readFileSync(join(dir, 'run', records[0] ?? ''), 'utf8'))
    expect(record, 'the record names its owner and port').toMatchObject({
      owner: process.pid,
      port: Number(new URL(privateUrl).port),
    })
    await roundTrip(services)

    await services.stop()
    expect((await probeRedis(privateUrl)).status, `${privateUrl} after stop()`).toBe('down')
    expect(readdirSync(join(dir, 'run')), 'record removed').toEqual([])
  })

  it('keeps the data of a private Redis across a restart (append-only file), as Upstash does', async () => {
    const dir = localDir()
    const options = { redisUrl: await deadUrl('redis'), privateInstances: true, localDir: dir }
    const first = await start({ ...options, migrate: false })
    const key = `durable:${randomUUID()}`
    const written = new Redis({
      url: first.services.upstashUrl,
      token: first.services.upstashToken,
    })
    await written.set(key, 'still here')
    await first.services.stop()
    expect((await probeRedis(first.services.redisUrl ?? '')).status, 'stopped').toBe('down')

    const second = await start({ ...options, migrate: false })
    expect(second.log.join(' | ')).toContain('started a private redis')
    const read = new Redis({ url: second.services.upstashUrl, token: second.services.upstashToken })
    expect(await read.get(key)).toBe('still here')
  })

  it('stops a private Redis left behind by a run that died (kill -9)', async () => {
    const dir = localDir()
    const port = await freePort()
    const orphan = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { detached: true, stdio: 'ignore' }
    )
    const deadOwner = spawn('true')
    await new Promise((resolve) => deadOwner.once('exit', resolve))
    const orphanPid = orphan.pid ?? 0
    onTestFinished(() => {
      if (isAlive(orphanPid)) process.kill(orphanPid, 'SIGKILL')
    })
    let up = false
    for (let i = 0; i < 50 && !up; i++) {
      up = (await probeRedis(`redis://127.0.0.1:${port}`)).status === 'up'
      if (!up) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(up, 'the orphan Redis answers').toBe(true)
    const run = join(dir, 'run')
    mkdirSync(run)
    writeFileSync(
      join(run, `redis-${orphanPid}.json`),
      JSON.stringify({ pid: orphanPid, port, owner: deadOwner.pid })
    )

    const { log } = await start({
      redisUrl: await deadUrl('redis'),
      privateInstances: true,
      localDir: dir,
      migrate: false,
    })
    expect(log.join(' | ')).toContain(`left running by an earlier run (pid ${orphanPid})`)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(isAlive(orphanPid), 'the orphan is gone').toBe(false)
    expect(existsSync(join(run, `redis-${orphanPid}.json`)), 'its record is gone').toBe(false)
  })

  it('creates a MariaDB data folder once, starts a private MariaDB, and stops it', async () => {
    const dir = localDir()
    const missing = await deadUrl('mysql')
    const { services, log } = await start({
      mysqlUrl: missing,
      privateInstances: true,
      localDir: dir,
    })
    const privateUrl = services.mysqlUrl ?? ''
    expect(privateUrl, log.join(' | ')).toMatch(/^mysql:\/\/root@127\.0\.0\.1:\d+$/)
    expect(privateUrl).not.toBe(missing)
    expect(log.join(' | ')).toContain('creating a MariaDB data folder')
    await roundTrip(services)
    const client = new Client({ url: services.databaseUrl })
    const applied = await client.execute('select count(*) as n from schema_migrations')
    expect(applied.rows, 'migrations applied in the private MariaDB').toEqual([
      { n: String(MIGRATIONS.length) },
    ])
    await services.stop()
    expect((await probeMysql(privateUrl)).status, `${privateUrl} after stop()`).toBe('down')

    // The second start reuses the data folder: no install, the migrations are already there.
    const { services: again, log: log2 } = await start({
      mysqlUrl: missing,
      privateInstances: true,
      localDir: dir,
    })
    expect(log2.join(' | ')).not.toContain('creating a MariaDB data folder')
    expect(again.migrations, 'nothing left to apply').toEqual([])

    // One data folder, one server: a second start while it runs shares it and leaves it running.
    const { services: sharing, log: log3 } = await start({
      mysqlUrl: missing,
      privateInstances: true,
      localDir: dir,
    })
    expect(sharing.mysqlUrl, log3.join(' | ')).toBe(again.mysqlUrl)
    expect(log3.join(' | ')).toContain(`using the private MariaDB of process ${process.pid}`)
    await sharing.stop()
    expect((await probeMysql(again.mysqlUrl ?? '')).status, 'still up for its owner').toBe('up')
  }, 60_000)
})
