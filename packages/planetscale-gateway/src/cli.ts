// The planetscale-gateway command line: its flags and how they start the gateway (bin.ts runs
// it).
import {
  asOptions,
  coreFlags,
  type FlagValues,
  flag,
  type GatewayCli,
  numberFlags,
  servingNote,
  UsageError,
} from '@edge-status/gateway-kit'
import { isRole, ROLE_PRIVILEGES, type Role } from './accounts.ts'
import {
  DEFAULT_STATEMENT_TIMEOUT_MS,
  type PlanetScaleGatewayOptions,
  startPlanetScaleGateway,
} from './gateway.ts'

/**
 * NAME:PASSWORD@DATABASE[:ROLE]; the password may itself hold ":" and "@" (the last "@" ends it),
 * and a ROLE is one of reader, writer, readwriter, admin (the default).
 */
export function parseUser(
  spec: string
): [string, { password: string; database: string; role?: Role }] {
  const colon = spec.indexOf(':')
  const at = spec.lastIndexOf('@')
  if (colon <= 0 || at < colon + 2 || at === spec.length - 1) {
    throw new UsageError(
      `--user must read NAME:PASSWORD@DATABASE[:ROLE], got ${JSON.stringify(spec)}`
    )
  }
  const [database, role, ...rest] = spec.slice(at + 1).split(':') as [string, ...string[]]
  if (database === '' || rest.length > 0 || (role !== undefined && !isRole(role))) {
    throw new UsageError(
      `--user ${spec.slice(0, colon)}: after "@" comes DATABASE or DATABASE:ROLE, ROLE one of ${Object.keys(ROLE_PRIVILEGES).join(', ')}`
    )
  }
  const user = { password: spec.slice(colon + 1, at), database }
  return [spec.slice(0, colon), role === undefined ? user : { ...user, role }]
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
    ...coreFlags(P, {
      backend: {
        name: 'mysql',
        variable: 'MYSQL_URL',
        fallback: 'MYSQL_URL',
        description:
          "the server to serve, mysql://user[:password]@host:port, as an admin (it creates databases and each credential's user)",
        default: 'mysql://root@127.0.0.1:3306',
      },
      credential: {
        name: 'user',
        variable: 'USERS',
        placeholder: 'NAME:PASSWORD@DATABASE[:ROLE]',
        description:
          'Basic credentials clients may use, the database they reach and their role there: ' +
          'reader, writer, readwriter or admin (default: admin, with schema changes)',
      },
      port: 8078,
    }),
    ...numberFlags(P, [
      [
        'statement-timeout-ms',
        'MS',
        'a statement running longer fails as on PlanetScale, its connection kept (0: no limit)',
        DEFAULT_STATEMENT_TIMEOUT_MS,
      ],
      ['pool-size', 'N', 'MySQL connections per database for session-less queries', 10],
      ['max-sessions', 'N', 'connections pinned to sessions (transactions) at once', 64],
      ['transaction-idle-ms', 'MS', 'an open transaction idle this long is rolled back', 20_000],
      [
        'session-idle-ms',
        'MS',
        'a session holding state (SET @x) idle this long is dropped',
        60_000,
      ],
      [
        'max-result-bytes',
        'BYTES',
        'larger results are an error, never truncated',
        64 * 1024 * 1024,
      ],
      ['max-body-bytes', 'BYTES', 'larger requests get a JSON 413', 16 * 1024 * 1024],
    ]),
    flag(P, {
      name: 'read-only',
      kind: 'boolean',
      description:
        'in front of a read-only replica (read_only=ON, a --mysql user without the right to bypass ' +
        'it): databases are never created, writes fail as on a PlanetScale replica',
    }),
    flag(P, {
      name: 'changed-rows',
      kind: 'boolean',
      description: 'UPDATE reports changed rows instead of matched rows (PlanetScale: matched)',
    }),
  ],
  examples: [
    'Example:',
    '  planetscale-gateway --mysql mysql://root@127.0.0.1:3306 --port 8078 --user app:secret@app_db',
    '  then: connect({ url: "http://app:secret@127.0.0.1:8078" })',
  ],
  // The number flags are start options of the same name: pool-size is poolSize.
  start: (values) =>
    startPlanetScaleGateway({
      ...(asOptions(values) as Partial<PlanetScaleGatewayOptions>),
      mysqlUrl: values.mysql as string,
      users: users(values),
      clientFoundRows: !values['changed-rows'],
      readOnly: values['read-only'] === true,
    }),
  describe: (values) =>
    `MySQL ${servingNote(values.mysql as string, (values.user as string[]).length, 'user', values)}`,
}
