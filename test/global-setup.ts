import { randomBytes } from 'node:crypto'
import { startPlanetScaleGateway } from '@edge-status/planetscale-gateway'
import { startUpstashGateway } from '@edge-status/upstash-gateway'
import type { TestProject } from 'vitest/node'
import { migrate } from '../scripts/migrate.ts'
import { MYSQL_URL, REDIS_URL } from './node/backends.ts'

/** Redis logical database and MySQL schema used by the Worker tests, apart from dev data. */
const TEST_REDIS_DB = 2
const TEST_DATABASE = 'edge_status_test'
/**
 * The depth test's second pair of gateways, on the same data: each answer waits this long, far
 * more than anything else a request does here, so backend calls in sequence never overlap and
 * calls in parallel always do.
 */
const DISTANT_LATENCY_MS = 200

declare module 'vitest' {
  export interface ProvidedContext {
    upstashUrl: string
    upstashToken: string
    databaseUrl: string
    distantUpstashUrl: string
    distantDatabaseUrl: string
  }
}

/**
 * Starts both gateways on ephemeral ports in front of the real Redis and MariaDB (and a distant
 * pair for the depth test), migrates.
 */
export default async function setup(project: TestProject) {
  const token = `test-${randomBytes(12).toString('hex')}`
  const password = randomBytes(12).toString('hex')
  const gateways = (latencyMs: number) =>
    Promise.all([
      startUpstashGateway({ redisUrl: REDIS_URL, tokens: { [token]: TEST_REDIS_DB }, latencyMs }),
      startPlanetScaleGateway({
        mysqlUrl: MYSQL_URL,
        users: { app_test: { password, database: TEST_DATABASE } },
        latencyMs,
      }),
    ])
  const [upstash, planetscale] = await gateways(0)
  const [distantUpstash, distantPlanetScale] = await gateways(DISTANT_LATENCY_MS)
  const close = async () => {
    await Promise.all(
      [upstash, planetscale, distantUpstash, distantPlanetScale].map((gateway) => gateway.close())
    )
  }
  const databaseUrl = `http://app_test:${password}@127.0.0.1:${planetscale.port}`
  await migrate(databaseUrl).catch(async (error: unknown) => {
    await close()
    throw error
  })
  project.provide('upstashUrl', upstash.url)
  project.provide('upstashToken', token)
  project.provide('databaseUrl', databaseUrl)
  project.provide('distantUpstashUrl', distantUpstash.url)
  project.provide(
    'distantDatabaseUrl',
    `http://app_test:${password}@127.0.0.1:${distantPlanetScale.port}`
  )
  return close
}
