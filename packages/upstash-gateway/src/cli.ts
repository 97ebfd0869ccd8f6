// The upstash-gateway command line: its flags and how they start the gateway (bin.ts runs it).
import {
  asOptions,
  coreFlags,
  type FlagValues,
  flag,
  type GatewayCli,
  numberFlags,
  redactUrl,
  servingNote,
  UsageError,
} from '@edge-status/gateway-kit'
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SYNC_WAIT_MS,
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
    flag(P, {
      name: 'replica',
      kind: 'string',
      placeholder: 'URL',
      description:
        'a replica of --redis (REPLICAOF): requests that only read are answered there, ' +
        '--latency-ms then applies to answers that needed the primary',
    }),
    ...numberFlags(P, [
      ['replica-latency-ms', 'MS', 'answers from the replica wait this long (a near region)', 0],
      [
        'sync-wait-ms',
        'MS',
        'a read carrying a sync token waits this long for the replica, then the primary answers',
        DEFAULT_SYNC_WAIT_MS,
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
      replica: values.replica
        ? {
            redisUrl: values.replica as string,
            latencyMs: values['replica-latency-ms'] as number,
            syncWaitMs: values['sync-wait-ms'] as number,
          }
        : undefined,
    }),
  describe: (values) => {
    const note = `Redis ${servingNote(values.redis as string, (values.token as string[]).length, 'token', values)}`
    if (!values.replica) return note
    return `${note}; reads from the replica ${redactUrl(values.replica as string)}, +${values['replica-latency-ms']} ms per answer`
  },
}
