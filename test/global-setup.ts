import { randomBytes } from 'node:crypto'
import { startPlanetScaleGateway } from '@edge-status/planetscale-gateway'
import { startUpstashGateway } from '@edge-status/upstash-gateway'
import type { TestProject } from 'vitest/node'
import { migrate } from '../scripts/migrate.ts'
import { MYSQL_URL, REDIS_URL } from './node/backends.ts'

/** Redis logical database and MySQL schema used by the Worker tests, apart from dev data. */
const TEST_REDIS_DB = 2
const TEST_DATABASE = 'edge_status_test'

declare module 'vitest' {
  export interface ProvidedContext {
    upstashUrl: string
    upstashToken: string
    databaseUrl: string
  }
}

/** Starts both gateways on ephemeral ports in front of the real Redis and MariaDB, migrates. */
export default async function setup(project: TestProject) {
  const token = `test-${randomBytes(12).toString('hex')}`
  const password = randomBytes(12).toString('hex')
  const upstash = await startUpstashGateway({
    redisUrl: REDIS_URL,
    tokens: { [token]: TEST_REDIS_DB },
  })
  const planetscale = await startPlanetScaleGateway({
    mysqlUrl: MYSQL_URL,
    users: { app_test: { password, database: TEST_DATABASE } },
  })
  const close = async () => {
    await Promise.all([upstash.close(), planetscale.close()])
  }
  const databaseUrl = `http://app_test:${password}@127.0.0.1:${planetscale.port}`
  await migrate(databaseUrl).catch(async (error: unknown) => {
    await close()
    throw error
  })
  project.provide('upstashUrl', upstash.url)
  project.provide('upstashToken', token)
  project.provide('databaseUrl', databaseUrl)
  return close
}
