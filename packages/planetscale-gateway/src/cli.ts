#!/usr/bin/env node
// planetscale-gateway: PlanetScale's HTTP API in front of a MariaDB or MySQL of your own. Run with
// --help.
import {
  type FlagValues,
  type GatewayCli,
  LATENCY_FLAG,
  redactUrl,
  runGatewayCli,
  UsageError,
} from '@edge-status/gateway-kit'
import {
  DEFAULT_STATEMENT_TIMEOUT_MS,
  type PlanetScaleGatewayOptions,
  startPlanetScaleGateway,
} from './gateway.ts'

/** NAME:PASSWORD@DATABASE; the password may itself hold ":" and "@" (the last "@" ends it). */
export function parseUser(spec: string): [string, { password: string; database: string }] {
  const colon = spec.indexOf(':')
  const at = spec.lastIndexOf('@')
  if (colon <= 0 || at < colon + 2 || at === spec.length - 1) {
    throw new UsageError(`--user must read NAME:PASSWORD@DATABASE, got ${JSON.stringify(spec)}`)
  }
  return [
    spec.slice(0, colon),
    { password: spec.slice(colon + 1, at), database: spec.slice(at + 1) },
  ]
}

function users(values: FlagValues): PlanetScaleGatewayOptions['users'] {
  return Object.fromEntries((values.user as string[]).map(parseUser))
}

const P = 'PLANETSCALE_GATEWAY'

export const planetscaleCli: GatewayCli = {
  name: 'planetscale-gateway',
  summary:
    "Serves PlanetScale's HTTP API (what @planetscale/database speaks) on HTTP, in front of a\n" +
    'MariaDB >= 10.6 or MySQL 8 of your own. Each user reaches one database, created if missing.',
  flags: [
    {
      name: 'mysql',
      env: `${P}_MYSQL_URL`,
      envFallback: 'MYSQL_URL',
      kind: 'string',
      placeholder: 'URL',
      description: 'the server to serve, mysql://user[:password]@host:port (it creates databases)',
      default: 'mysql://root@127.0.0.1:3306',
    },
    {
      name: 'user',
      env: `${P}_USERS`,
      kind: 'list',
      placeholder: 'NAME:PASSWORD@DATABASE',
      description: 'Basic credentials clients may use, and the database they reach',
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
      default: '8078',
    },
    LATENCY_FLAG(P),
    {
      name: 'statement-timeout-ms',
      env: `${P}_STATEMENT_TIMEOUT_MS`,
      kind: 'number',
      placeholder: 'MS',
      description:
        'a statement running longer fails as on PlanetScale, its connection kept (0: no limit)',
      default: String(DEFAULT_STATEMENT_TIMEOUT_MS),
    },
    {
      name: 'pool-size',
      env: `${P}_POOL_SIZE`,
      kind: 'number',
      placeholder: 'N',
      description: 'MySQL connections per database for session-less queries',
      default: '10',
    },
    {
      name: 'max-sessions',
      env: `${P}_MAX_SESSIONS`,
      kind: 'number',
      placeholder: 'N',
      description: 'connections pinned to sessions (transactions) at once',
      default: '64',
    },
    {
      name: 'transaction-idle-ms',
      env: `${P}_TRANSACTION_IDLE_MS`,
      kind: 'number',
      placeholder: 'MS',
      description: 'an open transaction idle this long is rolled back',
      default: '20000',
    },
    {
      name: 'session-idle-ms',
      env: `${P}_SESSION_IDLE_MS`,
      kind: 'number',
      placeholder: 'MS',
      description: 'a session holding state (SET @x) idle this long is dropped',
      default: '60000',
    },
    {
      name: 'max-result-bytes',
      env: `${P}_MAX_RESULT_BYTES`,
      kind: 'number',
      placeholder: 'BYTES',
      description: 'larger results are an error, never truncated',
      default: String(64 * 1024 * 1024),
    },
    {
      name: 'max-body-bytes',
      env: `${P}_MAX_BODY_BYTES`,
      kind: 'number',
      placeholder: 'BYTES',
      description: 'larger requests get a JSON 413',
      default: String(16 * 1024 * 1024),
    },
    {
      name: 'changed-rows',
      env: `${P}_CHANGED_ROWS`,
      kind: 'boolean',
      description: 'UPDATE reports changed rows instead of matched rows (PlanetScale: matched)',
    },
  ],
  examples: [
    'Example:',
    '  planetscale-gateway --mysql mysql://root@127.0.0.1:3306 --port 8078 --user app:secret@app_db',
    '  then: connect({ url: "http://app:secret@127.0.0.1:8078" })',
  ],
  start: (values) =>
    startPlanetScaleGateway({
      mysqlUrl: values.mysql as string,
      users: users(values),
      host: values.host as string,
      port: values.port as number,
      latencyMs: values['latency-ms'] as number,
      statementTimeoutMs: values['statement-timeout-ms'] as number,
      poolSize: values['pool-size'] as number,
      maxSessions: values['max-sessions'] as number,
      transactionIdleMs: values['transaction-idle-ms'] as number,
      sessionIdleMs: values['session-idle-ms'] as number,
      maxResultBytes: values['max-result-bytes'] as number,
      maxBodyBytes: values['max-body-bytes'] as number,
      clientFoundRows: !values['changed-rows'],
    }),
  describe: (values) => {
    const count = (values.user as string[]).length
    const latency = values['latency-ms'] ? `, +${values['latency-ms']} ms per answer` : ''
    return `MySQL ${redactUrl(values.mysql as string)}, ${count} user${count === 1 ? '' : 's'}${latency}`
  },
}

if (import.meta.main) await runGatewayCli(planetscaleCli)
