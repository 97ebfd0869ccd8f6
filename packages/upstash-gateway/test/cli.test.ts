// The upstash-gateway command: --help, flags and their environment variables, the ready line,
// a clear exit when Redis cannot be used, and a clean stop on SIGTERM.
import { fileURLToPath } from 'node:url'
import { freePort, killCliProcesses, runCli } from '@edge-status/gateway-kit/testing'
import { Redis } from '@upstash/redis'
import { afterEach, describe, expect, it } from 'vitest'
import { parseToken } from '../src/cli.ts'
import { REDIS_URL } from './helpers.ts'

const CLI = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
afterEach(killCliProcesses)

describe('upstash-gateway', () => {
  it('prints its options with --help and exits 0', async () => {
    const cli = runCli(CLI, ['--help'])
    expect(await cli.exited).toBe(0)
    const { stdout } = cli.output()
    for (const flag of ['--redis', '--token', '--port', '--latency-ms', '--pool-size']) {
      expect(stdout, flag).toContain(flag)
    }
    expect(stdout).toContain('UPSTASH_GATEWAY_LATENCY_MS')
  })

  it('exits 2 with a pointer to --help on a bad flag or a missing token', async () => {
    for (const args of [['--token', 't', '--bogus'], [], ['--token', 't', '--port', 'x']]) {
      const cli = runCli(CLI, args)
      expect(await cli.exited, args.join(' ')).toBe(2)
      expect(cli.output().stderr, args.join(' ')).toMatch(/^upstash-gateway: .*\n.*--help/)
    }
  })

  it('exits 1 with a clear message when Redis cannot be reached', async () => {
    const port = await freePort()
    const cli = runCli(CLI, ['--redis', `redis://127.0.0.1:${port}`, '--token', 't', '--port', '0'])
    expect(await cli.exited).toBe(1)
    expect(cli.output().stderr).toContain(`cannot use Redis at 127.0.0.1:${port}`)
    expect(cli.output().stdout, 'no ready line').toBe('')
  })

  it('takes its settings from the environment, serves the client, and stops on SIGTERM', async () => {
    const cli = runCli(CLI, [], {
      UPSTASH_GATEWAY_REDIS_URL: REDIS_URL,
      UPSTASH_GATEWAY_TOKENS: 'env-token=9, other=10',
      UPSTASH_GATEWAY_PORT: '0',
      UPSTASH_GATEWAY_LATENCY_MS: '40',
    })
    const ready = await cli.firstLine
    expect(ready).toMatch(/^upstash-gateway listening on http:\/\/127\.0\.0\.1:\d+ \(.*2 tokens/)
    const url = /(http:\/\/\S+)/.exec(ready)?.[1] as string
    const redis = new Redis({ url, token: 'env-token' })
    const started = performance.now()
    expect(await redis.ping()).toBe('PONG')
    expect(performance.now() - started, 'the added latency').toBeGreaterThanOrEqual(38)
    cli.child.kill('SIGTERM')
    expect(await cli.exited).toBe(0)
  })

  it('lets a flag win over its environment variable', async () => {
    const cli = runCli(CLI, ['--port', '0', '--token', 'flag-token=9'], {
      UPSTASH_GATEWAY_PORT: 'not a port',
      UPSTASH_GATEWAY_TOKENS: 'env-token',
      REDIS_URL,
    })
    const url = /(http:\/\/\S+)/.exec(await cli.firstLine)?.[1] as string
    expect(await new Redis({ url, token: 'flag-token' }).ping()).toBe('PONG')
    const refused = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer env-token' },
      body: '["ping"]',
    })
    expect(refused.status).toBe(401)
  })
})

describe('parseToken', () => {
  it('reads TOKEN=DB, and a token ending in "=" as a whole token', () => {
    expect(parseToken('dev-token=3')).toEqual(['dev-token', 3])
    expect(parseToken('dev-token')).toEqual(['dev-token', 0])
    expect(parseToken('AYNgAS2553fe==')).toEqual(['AYNgAS2553fe==', 0])
    expect(parseToken('a=b=12')).toEqual(['a=b', 12])
  })
})
