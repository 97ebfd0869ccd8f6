// The planetscale-gateway command: --help, flags and their environment variables, the ready
// line, a clear exit when MySQL cannot be used, and a clean stop on SIGTERM.
import { fileURLToPath } from 'node:url'
import { freePort, killCliProcesses, runCli } from '@edge-status/gateway-kit/testing'
import { Client } from '@planetscale/database'
import { afterEach, describe, expect, it } from 'vitest'
import { parseUser } from '../src/cli.ts'
import { MYSQL_URL } from './helpers.ts'

const CLI = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
const DATABASE = 'ps_cli_test'
afterEach(killCliProcesses)

describe('planetscale-gateway', () => {
  it('prints its options with --help and exits 0', async () => {
    const cli = runCli(CLI, ['--help'])
    expect(await cli.exited).toBe(0)
    const { stdout } = cli.output()
    for (const flag of ['--mysql', '--user', '--port', '--latency-ms', '--statement-timeout-ms']) {
      expect(stdout, flag).toContain(flag)
    }
    expect(stdout).toContain('PLANETSCALE_GATEWAY_LATENCY_MS')
  })

  it('exits 2 on a malformed --user or a missing one', async () => {
    for (const args of [
      ['--user', 'no-database:x'],
      [],
      ['--user', 'a:b@c', '--latency-ms', '-5'],
    ]) {
      const cli = runCli(CLI, args)
      expect(await cli.exited, args.join(' ')).toBe(2)
      expect(cli.output().stderr, args.join(' ')).toMatch(/^planetscale-gateway: /)
    }
  })

  it('exits 1 with a clear message when MySQL cannot be reached', async () => {
    const port = await freePort()
    const cli = runCli(CLI, [
      '--mysql',
      `mysql://root@127.0.0.1:${port}`,
      '--user',
      'a:b@c',
      '--port',
      '0',
    ])
    expect(await cli.exited).toBe(1)
    expect(cli.output().stderr).toContain(`cannot use MySQL at 127.0.0.1:${port}`)
  })

  it('takes its settings from the environment, serves the driver, and stops on SIGTERM', async () => {
    const cli = runCli(CLI, [], {
      PLANETSCALE_GATEWAY_MYSQL_URL: MYSQL_URL,
      PLANETSCALE_GATEWAY_USERS: `cli:p@ss:w@rd@${DATABASE}`,
      PLANETSCALE_GATEWAY_PORT: '0',
      PLANETSCALE_GATEWAY_LATENCY_MS: '40',
    })
    const ready = await cli.firstLine
    expect(ready, cli.output().stderr).toMatch(
      /^planetscale-gateway listening on http:\/\/127\.0\.0\.1:\d+ \(MySQL .*, 1 user, \+40 ms/
    )
    const port = /127\.0\.0\.1:(\d+)/.exec(ready)?.[1]
    const client = new Client({
      url: `http://cli:${encodeURIComponent('p@ss:w@rd')}@127.0.0.1:${port}`,
    })
    const started = performance.now()
    expect((await client.execute('SELECT 1 AS one')).rows).toEqual([{ one: '1' }])
    expect(performance.now() - started, 'the added latency').toBeGreaterThanOrEqual(38)
    cli.child.kill('SIGTERM')
    expect(await cli.exited).toBe(0)
  })
})

describe('parseUser', () => {
  it('reads NAME:PASSWORD@DATABASE, the password running to the last "@"', () => {
    expect(parseUser('app:secret@db')).toEqual(['app', { password: 'secret', database: 'db' }])
    expect(parseUser('app:p:a@ss@db')).toEqual(['app', { password: 'p:a@ss', database: 'db' }])
    expect(() => parseUser('app@db')).toThrow(/NAME:PASSWORD@DATABASE/)
    expect(() => parseUser('app:@db')).toThrow(/NAME:PASSWORD@DATABASE/)
  })

  it('reads an optional role after the database, and refuses an unknown one', () => {
    expect(parseUser('ro:p@ss@db:reader')).toEqual([
      'ro',
      { password: 'p@ss', database: 'db', role: 'reader' },
    ])
    expect(parseUser('app:s@db:admin')[1].role).toBe('admin')
    expect(() => parseUser('app:s@db:root')).toThrow(/reader, writer, readwriter, admin/)
    expect(() => parseUser('app:s@db:reader:x')).toThrow(/DATABASE:ROLE/)
    expect(() => parseUser('app:s@:reader')).toThrow(/DATABASE:ROLE/)
  })
})
