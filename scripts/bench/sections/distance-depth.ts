// Ours' depth read directly: one request of each route at a time, the gateways' timelines read
// before and after it, and the longest chain of backend requests that ran one after another.
import { settle } from '../infra/http-load.ts'
import type { Account } from '../infra/journey.ts'
import { OneConnection } from '../infra/one-connection.ts'
import type { OursAndFloor } from '../infra/stack.ts'
import { intervalsBetween, longestChain } from '../infra/timeline.ts'
import { DISTANCE_ROUTES } from './distance-routes.ts'
import type { Role } from './scenarios.ts'

export const PROBES = 3

/** Route name → the depth each probe showed. */
export async function measureDepth(
  stack: OursAndFloor,
  cookies: Record<Role, string>,
  accounts: Record<Role, Account>,
  run: string
): Promise<Map<string, number[]>> {
  const { upstash, planetscale } = stack.gateways
  const client = new OneConnection(stack.ours.url)
  const context = { server: 'ours' as const, client, accounts, cookies, run }
  const depths = new Map<string, number[]>()
  try {
    for (const route of DISTANCE_ROUTES.filter((r) => r.servers.includes('ours'))) {
      const chains: number[] = []
      for (let n = 0; n < PROBES; n++) {
        const request = await route.prepare(context, n)
        // Whatever the preparation started has ended before the first reading.
        await settle(stack.gateways.counters)
        const before = await Promise.all([upstash.stats(), planetscale.stats()])
        const response = await client.send(request)
        if (response.status >= 400) throw new Error(`${route.name}: HTTP ${response.status}`)
        await settle(stack.gateways.counters)
        const after = await Promise.all([upstash.stats(), planetscale.stats()])
        chains.push(
          longestChain(before.flatMap((stats, i) => intervalsBetween(stats, after[i] ?? stats)))
        )
      }
      depths.set(route.name, chains)
    }
  } finally {
    client.close()
  }
  return depths
}
