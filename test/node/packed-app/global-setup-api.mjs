// A project's vitest globalSetup as the gateways' READMEs show it: both gateways in the test
// runner's process, through their API, on free ports.
import { startPlanetScaleGateway } from '@edge-status/planetscale-gateway'
import { startUpstashGateway } from '@edge-status/upstash-gateway'

export default async function setup(project) {
  const upstash = await startUpstashGateway({
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    tokens: { 'test-token': 15 },
    port: 0,
  })
  const planetscale = await startPlanetScaleGateway({
    mysqlUrl: process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
    users: { app: { password: 'secret', database: 'edge_status_packages_test' } },
    port: 0,
  })
  await Promise.all([upstash.checkBackend(), planetscale.checkBackend()])
  project.provide('upstashUrl', upstash.url)
  project.provide('upstashToken', 'test-token')
  project.provide('databaseUrl', `http://app:secret@127.0.0.1:${planetscale.port}`)
  return async () => {
    await Promise.all([upstash.close(), planetscale.close()])
  }
}
