import { serverAddress } from '@edge-status/gateway-kit'
import { findBinary } from '../lib/processes.ts'
import { startPrivateMariadb, startPrivateRedis } from './private-instance.ts'
import { type Probe, probeMysql, probeRedis } from './probes.ts'

/** An expected failure: the command prints the message (no stack) and exits 1. */
export class ServicesError extends Error {}

/** The Redis or MySQL server the gateway talks to. */
export interface Backend {
  url: string
  /** 'external': it was already running; 'private': we started it (under .local/). */
  source: 'external' | 'private'
  stop(): Promise<void>
}

export interface BackendOptions {
  /** May a private instance be started when nothing answers? */
  allowPrivate: boolean
  localDir: string
  log: (line: string) => void
  signal?: AbortSignal
}

const INSTALL_HINT = [
  'Install them, or point REDIS_URL / MYSQL_URL at running servers:',
  '  Debian/Ubuntu: sudo apt-get install redis-server mariadb-server',
  '  macOS:         brew install redis mariadb',
].join('\n')

const external = (url: string): Backend => ({ url, source: 'external', stop: async () => {} })

function isLoopback(url: string): boolean {
  const { host } = serverAddress(url, 0)
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

/**
 * A private instance only replaces a server on this machine that is simply not running: a remote one
 * that is down, or anything that answers wrongly (auth, another protocol), is reported instead.
 */
async function ensure(
  what: 'Redis' | 'MySQL',
  url: string,
  probe: (url: string) => Promise<Probe>,
  privateStarter: () => (() => Promise<Backend>) | undefined,
  options: BackendOptions
): Promise<Backend> {
  const variable = what === 'Redis' ? 'REDIS_URL' : 'MYSQL_URL'
  const result = await probe(url)
  if (result.status === 'up') return external(url)
  if (result.status === 'error') {
    throw new ServicesError(
      `something answers at ${url}, but not as a usable ${what}: ${result.reason} (check ${variable})`
    )
  }
  const unreachable = `${what} does not answer at ${url} (${result.reason})`
  if (!options.allowPrivate || !isLoopback(url)) throw new ServicesError(unreachable)
  const start = privateStarter()
  if (!start) {
    const server = what === 'Redis' ? 'redis-server' : 'mariadbd'
    throw new ServicesError(`${unreachable} and ${server} is not installed.\n${INSTALL_HINT}`)
  }
  options.log(`${unreachable}; starting a private instance under ${options.localDir}`)
  return start()
}

export function ensureRedis(url: string, options: BackendOptions): Promise<Backend> {
  return ensure(
    'Redis',
    url,
    probeRedis,
    () => {
      const server = findBinary('redis-server')
      if (!server) return undefined
      return async () => {
        const instance = await startPrivateRedis(server, options)
        return { url: instance.url, source: 'private', stop: instance.stop }
      }
    },
    options
  )
}

export function ensureMysql(url: string, options: BackendOptions): Promise<Backend> {
  return ensure(
    'MySQL',
    url,
    probeMysql,
    () => {
      const mariadbd = findBinary('mariadbd')
      if (!mariadbd) return undefined
      const installDb = findBinary('mariadb-install-db')
      return async () => {
        const instance = await startPrivateMariadb({ mariadbd, installDb }, options)
        return { url: instance.url, source: 'private', stop: instance.stop }
      }
    },
    options
  )
}
