// Forward-only SQL migrations, applied through @planetscale/database only, so the same command
// works against the local gateway and against real PlanetScale.
//   node scripts/migrate.ts            apply pending migrations/*.sql (DATABASE_URL or .dev.vars)
//   node scripts/migrate.ts --status   list applied and pending files
// Through npm: `npm run db:migrate -- --status` (npm keeps a flag before `--` for itself).

import { existsSync, readFileSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { redactUrl } from '@edge-status/gateway-kit'
import { type Connection, connect, DatabaseError } from '@planetscale/database'
import { parseDevVars } from './local/dev-vars.ts'

export interface MigrateOptions {
  log?: (message: string) => void
  /** Seconds to wait for another migrator to finish, default 60. */
  lockTimeoutSeconds?: number
}

export interface MigrationStatus {
  applied: string[]
  pending: string[]
}

const LOCK_NAME = 'schema_migrations'
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  name VARCHAR(255) NOT NULL PRIMARY KEY,
  applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`

/** Statements of one file: `--` comment lines dropped, split on `;` at the end of a line. */
export function splitStatements(sql: string): string[] {
  const lines = sql.split(/\r?\n/).filter((line) => !/^\s*--/.test(line))
  return lines
    .join('\n')
    .split(/;[ \t]*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/**
 * The first statement of a run: a database that does not answer at all (fetch rejects before any
 * HTTP answer) becomes one error naming where it was looked for and how the local one starts.
 */
async function firstContact<T>(url: string, statement: () => Promise<T>): Promise<T> {
  try {
    return await statement()
  } catch (err) {
    if (err instanceof DatabaseError || !(err instanceof TypeError)) throw err
    const reason = err.cause as { code?: string; message?: string } | undefined
    const cause = reason?.code ?? reason?.message ?? err.message
    throw new Error(
      `cannot reach the database at ${redactUrl(url)} (${cause}). Locally, start it with ` +
        '`npm run services` (or `npm run dev`); otherwise check DATABASE_URL.',
      { cause: err }
    )
  }
}

async function migrationFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir)
  return names.filter((n) => n.endsWith('.sql')).sort()
}

async function appliedNames(conn: Pick<Connection, 'execute'>): Promise<string[]> {
  try {
    const res = await conn.execute('SELECT name FROM schema_migrations ORDER BY name')
    return (res.rows as { name: string }[]).map((r) => r.name)
  } catch (err) {
    if (err instanceof DatabaseError && /\(errno 1146\)/.test(err.message)) return []
    throw err
  }
}

export async function migrationStatus(
  databaseUrl: string,
  dir = 'migrations'
): Promise<MigrationStatus> {
  const files = await migrationFiles(dir)
  const applied = await firstContact(databaseUrl, () => appliedNames(connect({ url: databaseUrl })))
  const done = new Set(applied)
  return { applied, pending: files.filter((f) => !done.has(f)) }
}

/**
 * Applies pending files in name order and records each in schema_migrations. A named lock on
 * one session serializes concurrent runs; the primary key on the name is the final decider.
 */
export async function migrate(
  databaseUrl: string,
  dir = 'migrations',
  opts: MigrateOptions = {}
): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {})
  const files = await migrationFiles(dir)
  const conn = connect({ url: databaseUrl })
  await firstContact(databaseUrl, () => conn.execute(CREATE_TABLE))
  const lock = await conn.execute('SELECT GET_LOCK(?, ?) AS locked', [
    LOCK_NAME,
    opts.lockTimeoutSeconds ?? 60,
  ])
  if (String((lock.rows[0] as { locked: unknown } | undefined)?.locked) !== '1') {
    throw new Error('another migration run holds the schema_migrations lock')
  }
  const applied: string[] = []
  try {
    const done = new Set(await appliedNames(conn))
    for (const file of files) {
      if (done.has(file)) continue
      const statements = splitStatements(await readFile(join(dir, file), 'utf8'))
      log(`applying ${file} (${statements.length} statements)`)
      for (const statement of statements) await conn.execute(statement)
      try {
        await conn.execute('INSERT INTO schema_migrations (name) VALUES (?)', [file])
      } catch (err) {
        if (!(err instanceof DatabaseError && /\(errno 1062\)/.test(err.message))) throw err
      }
      applied.push(file)
    }
  } finally {
    await conn.execute('SELECT RELEASE_LOCK(?)', [LOCK_NAME]).catch(() => {})
  }
  log(applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date')
  return { applied }
}

function databaseUrlFromEnv(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL
  if (existsSync('.dev.vars')) {
    const url = parseDevVars(readFileSync('.dev.vars', 'utf8')).get('DATABASE_URL')
    if (url) return url
  }
  throw new Error('DATABASE_URL is not set (environment or .dev.vars)')
}

async function main(args: string[]): Promise<void> {
  const url = databaseUrlFromEnv()
  const unknown = args.filter((arg) => arg !== '--status')
  if (unknown.length > 0)
    throw new Error(`unknown argument(s): ${unknown.join(' ')} (only --status)`)
  // `npm run db:migrate --status` hands --status to npm, which passes it on as this variable.
  const npmTookStatus = process.env.npm_config_status === 'true'
  if (npmTookStatus)
    console.log('(npm took --status for itself; next time: npm run db:migrate -- --status)')
  if (args.includes('--status') || npmTookStatus) {
    const { applied, pending } = await migrationStatus(url)
    for (const name of applied) console.log(`applied  ${name}`)
    for (const name of pending) console.log(`pending  ${name}`)
    return
  }
  await migrate(url, 'migrations', { log: (m) => console.log(m) })
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exitCode = 1
  })
}
