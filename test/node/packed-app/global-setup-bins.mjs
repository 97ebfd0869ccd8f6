// A project's vitest globalSetup as gateway-kit's README shows it: both gateways as programs, from
// their bins, run by gateway-kit's testing helpers.
import { createRequire } from 'node:module'
import { runCli } from '@edge-status/gateway-kit/testing'

const resolve = createRequire(import.meta.url).resolve

async function startBin(name, args) {
  const gateway = runCli(resolve(`@edge-status/${name}/bin`), ['--port', '0', ...args], {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    MYSQL_URL: process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
  })
  // "<name> listening on http://127.0.0.1:PORT (…)" once it serves; '' when it exited instead.
  const url = / listening on (\S+)/.exec(await gateway.firstLine)?.[1]
  if (url === undefined) throw new Error(`${name} did not start: ${gateway.output().stderr}`)
  const stop = async () => {
    gateway.child.kill('SIGTERM')
    await gateway.exited
  }
  return { url, stop }
}

export default async function setup(project) {
  const upstash = await startBin('upstash-gateway', ['--token', 'test-token=15'])
  const planetscale = await startBin('planetscale-gateway', [
    '--user',
    'app:secret@edge_status_packages_test',
  ])
  project.provide('upstashUrl', upstash.url)
  project.provide('upstashToken', 'test-token')
  project.provide('databaseUrl', planetscale.url.replace('http://', 'http://app:secret@'))
  return async () => {
    await Promise.all([upstash.stop(), planetscale.stop()])
  }
}
