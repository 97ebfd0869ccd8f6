// What `npm run services` prints once everything is up: where each gateway answers, in front of
// what, and the .dev.vars lines.
import { redactUrl } from '@edge-status/gateway-kit'
import type { ReplicaServices } from './replicas.ts'

export interface SummaryOf {
  upstashUrl: string
  upstashToken: string
  databaseUrl: string
  redisUrl: string | undefined
  mysqlUrl: string | undefined
  gateways: { upstash: unknown }
  latencyMs: number | undefined
  replicas: ReplicaServices | undefined
}

/** What `npm run services` prints once everything is up. */
export function servicesSummary(services: SummaryOf): string[] {
  const { upstashUrl, upstashToken, databaseUrl, gateways, redisUrl, mysqlUrl, latencyMs } =
    services
  const replicas = services.replicas
  const behind = (url: string | undefined) => (url ? ` -> ${url}` : ' (already running)')
  let upstashNote = latencyMs && gateways.upstash ? ` (+${latencyMs} ms per answer)` : ''
  let planetscaleNote = upstashNote
  if (replicas) {
    const { nearMs, farMs, lagMs } = replicas.settings
    upstashNote = ` (reads: replica ${replicas.redisReplicaUrl}, +${nearMs} ms; else +${farMs} ms)`
    planetscaleNote = ` (+${farMs} ms per answer)`
    upstashNote += `\n                  replication lag ${lagMs} ms`
  }
  const lines = [
    '',
    `Upstash REST      ${upstashUrl}${behind(redisUrl)}${upstashNote}`,
    `PlanetScale HTTP  ${databaseUrl}${behind(mysqlUrl)}${planetscaleNote}`,
  ]
  if (replicas) {
    lines.push(
      `  read-only       ${replicas.databaseReplicaUrl} -> ${redactUrl(replicas.mysqlReplicaUrl)} (+${replicas.settings.nearMs} ms per answer)`
    )
  }
  lines.push(
    '',
    '# .dev.vars (npm run dev writes these, plus a SESSION_SECRET)',
    `UPSTASH_REDIS_REST_URL=${upstashUrl}`,
    `UPSTASH_REDIS_REST_TOKEN=${upstashToken}`,
    `DATABASE_URL=${databaseUrl}`
  )
  if (replicas) lines.push(`DATABASE_REPLICA_URL=${replicas.databaseReplicaUrl}`)
  lines.push('')
  return lines
}
