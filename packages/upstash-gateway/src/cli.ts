#!/usr/bin/env node
// upstash-gateway: the Upstash REST API in front of a Redis of your own. Run with --help.
import {
  asOptions,
  coreFlags,
  type FlagValues,
  type GatewayCli,
  numberFlags,
  runGatewayCli,
  servingNote,
  UsageError,
} from '@edge-status/gateway-kit'
import {
  DEFAULT_MAX_BODY_BYTES,
  startUpstashGateway,
  type UpstashGatewayOptions,
} from './gateway.ts'

/** TOKEN or TOKEN=DB; DB is the digits after the last "=" (tokens may themselves end in "="). */
export function parseToken(spec: string): [string, number] {
  const match = /^(.+)=(\d+)$/.exec(spec)
  if (match) return [match[1] as string, Number(match[2])]
  if (spec === '') throw new UsageError('--token must not be empty')
  return [spec, 0]
}

function tokens(values: FlagValues): Record<string, number> {
  return Object.fromEntries((values.token as string[]).map(parseToken))
}

const P = 'UPSTASH_GATEWAY'

export const upstashCli: GatewayCli = {
  name: 'upstash-gateway',
  summary:
    'Serves the Upstash Redis REST API (what @upstash/redis and curl speak) on HTTP, in front of\n' +
    'a Redis >= 7 of your own. Each token sees one Redis logical database as its whole world.',
  flags: [
    ...coreFlags(P, {
      backend: {
        name: 'redis',
        variable: 'REDIS_URL',
        fallback: 'REDIS_URL',
        description:
          "the Redis to serve, redis://[user:password@]host:port, as an admin (it creates each token's ACL user)",
        default: 'redis://127.0.0.1:6379',
      },
      credential: {
        name: 'token',
        variable: 'TOKENS',
        placeholder: 'TOKEN[=DB]',
        description: 'a bearer token clients may use, and its Redis database (default 0)',
      },
      port: 8079,
    }),
    ...numberFlags(P, [
      ['pool-size', 'N', 'shared Redis connections per token', 8],
      [
        'max-body-bytes',
        'BYTES',
        'larger requests get 413 "ERR max request size exceeded"',
        DEFAULT_MAX_BODY_BYTES,
      ],
      [
        'command-timeout-ms',
        'MS',
        'a Redis connection silent this long while owing replies is dropped',
        10_000,
      ],
    ]),
  ],
  examples: [
    'Example:',
    '  upstash-gateway --redis redis://127.0.0.1:6379 --port 8079 --token dev-token=0',
    '  then: new Redis({ url: "http://127.0.0.1:8079", token: "dev-token" })',
    '        curl -H "Authorization: Bearer dev-token" http://127.0.0.1:8079/set/foo/bar',
  ],
  // host, port, latencyMs, poolSize, maxBodyBytes, commandTimeoutMs come from their flags.
  start: (values) =>
    startUpstashGateway({
      ...(asOptions(values) as Partial<UpstashGatewayOptions>),
      redisUrl: values.redis as string,
      tokens: tokens(values),
    }),
  describe: (values) =>
    `Redis ${servingNote(values.redis as string, (values.token as string[]).length, 'token', values)}`,
}

if (import.meta.main) await runGatewayCli(upstashCli)
