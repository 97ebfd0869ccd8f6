#!/usr/bin/env node
// upstash-gateway: the Upstash REST API in front of a Redis of your own. Run with --help.
import {
  type FlagValues,
  type GatewayCli,
  LATENCY_FLAG,
  redactUrl,
  runGatewayCli,
  UsageError,
} from '@edge-status/gateway-kit'
import { DEFAULT_MAX_BODY_BYTES, startUpstashGateway } from './gateway.ts'

/** TOKEN or TOKEN=DB; DB is the digits after the last "=" (tokens may themselves end in "="). */
export function parseToken(spec: string): [string, number] {
  const match = /^(.+)=(\d+)$/.exec(spec)
  if (match) return [match[1] as string, Number(match[2])]
  if (spec === '') throw new UsageError('--token must not be empty')
  return [spec, 0]
}

function tokens(values: FlagValues): Record<string, number> {
  const out: Record<string, number> = {}
  for (const spec of values.token as string[]) {
    const [token, db] = parseToken(spec)
    out[token] = db
  }
  return out
}

const P = 'UPSTASH_GATEWAY'

export const upstashCli: GatewayCli = {
  name: 'upstash-gateway',
  summary:
    'Serves the Upstash Redis REST API (what @upstash/redis and curl speak) on HTTP, in front of\n' +
    'a Redis >= 7 of your own. Each token sees one Redis logical database as its whole world.',
  flags: [
    {
      name: 'redis',
      env: `${P}_REDIS_URL`,
      envFallback: 'REDIS_URL',
      kind: 'string',
      placeholder: 'URL',
      description: 'the Redis to serve, redis://[user:password@]host:port',
      default: 'redis://127.0.0.1:6379',
    },
    {
      name: 'token',
      env: `${P}_TOKENS`,
      kind: 'list',
      placeholder: 'TOKEN[=DB]',
      description: 'a bearer token clients may use, and its Redis database (default 0)',
      required: true,
    },
    {
      name: 'host',
      env: `${P}_HOST`,
      kind: 'string',
      placeholder: 'ADDRESS',
      description: 'address to listen on',
      default: '127.0.0.1',
    },
    {
      name: 'port',
      env: `${P}_PORT`,
      kind: 'number',
      placeholder: 'PORT',
      description: 'port to listen on (0: any free port)',
      default: '8079',
    },
    LATENCY_FLAG(P),
    {
      name: 'pool-size',
      env: `${P}_POOL_SIZE`,
      kind: 'number',
      placeholder: 'N',
      description: 'shared Redis connections per token',
      default: '8',
    },
    {
      name: 'max-body-bytes',
      env: `${P}_MAX_BODY_BYTES`,
      kind: 'number',
      placeholder: 'BYTES',
      description: 'larger requests get 413 "ERR max request size exceeded"',
      default: String(DEFAULT_MAX_BODY_BYTES),
    },
    {
      name: 'command-timeout-ms',
      env: `${P}_COMMAND_TIMEOUT_MS`,
      kind: 'number',
      placeholder: 'MS',
      description: 'a Redis connection silent this long while owing replies is dropped',
      default: '10000',
    },
  ],
  examples: [
    'Example:',
    '  upstash-gateway --redis redis://127.0.0.1:6379 --port 8079 --token dev-token=0',
    '  then: new Redis({ url: "http://127.0.0.1:8079", token: "dev-token" })',
    '        curl -H "Authorization: Bearer dev-token" http://127.0.0.1:8079/set/foo/bar',
  ],
  start: (values) =>
    startUpstashGateway({
      redisUrl: values.redis as string,
      tokens: tokens(values),
      host: values.host as string,
      port: values.port as number,
      latencyMs: values['latency-ms'] as number,
      poolSize: values['pool-size'] as number,
      maxBodyBytes: values['max-body-bytes'] as number,
      commandTimeoutMs: values['command-timeout-ms'] as number,
    }),
  describe: (values) => {
    const count = (values.token as string[]).length
    const latency = values['latency-ms'] ? `, +${values['latency-ms']} ms per answer` : ''
    return `Redis ${redactUrl(values.redis as string)}, ${count} token${count === 1 ? '' : 's'}${latency}`
  },
}

if (import.meta.main) await runGatewayCli(upstashCli)
