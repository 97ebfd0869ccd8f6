// One gateway in its own process, so a fault test can kill it: node gateway-process.ts '<json>'.
import type { RunningGateway } from '@edge-status/gateway-kit'
import { startPlanetScaleGateway } from '@edge-status/planetscale-gateway'
import { startUpstashGateway } from '@edge-status/upstash-gateway'

type Spec =
  | { kind: 'upstash'; port: number; redisUrl: string; tokens: Record<string, number> }
  | {
      kind: 'planetscale'
      port: number
      mysqlUrl: string
      users: Record<string, { password: string; database: string }>
    }

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec
let gateway: RunningGateway
if (spec.kind === 'upstash') {
  gateway = await startUpstashGateway({
    redisUrl: spec.redisUrl,
    tokens: spec.tokens,
    port: spec.port,
    // A frozen Redis is noticed well within the test's patience.
    commandTimeoutMs: 2000,
  })
} else {
  gateway = await startPlanetScaleGateway({
    mysqlUrl: spec.mysqlUrl,
    users: spec.users,
    port: spec.port,
  })
}
console.log(`${spec.kind} gateway at ${gateway.url}`)
// Teardown: a graceful close, but never a long one (a frozen backend could hold it up).
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(0), 1000).unref()
  void gateway.close().then(() => process.exit(0))
})
