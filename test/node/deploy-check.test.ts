// What `npm run deploy` checks before it uploads: fed the config and the secret names it would read.
import { describe, expect, it } from 'vitest'
import {
  type DeployConfig,
  deployProblems,
  REQUIRED_SECRETS as SECRETS,
} from '../../scripts/deploy-check.ts'

const READY: DeployConfig = {
  vars: {
    UPSTASH_REDIS_REST_URL: 'https://eu1-bright-owl-31337.upstash.io',
    SESSION_IDLE_SECONDS: '1800',
  },
  requiredSecrets: SECRETS,
  secretNames: [...SECRETS, 'UNRELATED'],
}
const withUrl = (url: string): DeployConfig => ({
  ...READY,
  vars: { ...READY.vars, UPSTASH_REDIS_REST_URL: url },
})

describe('deployProblems', () => {
  it('lets a complete production configuration through', () => {
    expect(deployProblems(READY)).toEqual([])
  })

  it.each([
    'http://127.0.0.1:8079',
    'http://localhost:8079',
    'https://127.0.0.2',
    'http://[::1]:8079',
    'http://0.0.0.0:8079',
    'https://app.localhost',
  ])('refuses the loopback URL %s, naming the var', (url) => {
    const problems = deployProblems(withUrl(url))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^var UPSTASH_REDIS_REST_URL = ".*" is a loopback address/)
  })

  it.each([
    'https://your-database.upstash.io',
    'https://<your-database>.upstash.io',
    'https://db.example.com',
  ])('refuses the placeholder %s', (url) => {
    expect(deployProblems(withUrl(url))).toEqual([
      expect.stringMatching(/UPSTASH_REDIS_REST_URL .* is a placeholder/),
    ])
  })

  it('refuses a plain-http URL to a real host', () => {
    expect(deployProblems(withUrl('http://eu1-bright-owl-31337.upstash.io'))).toEqual([
      expect.stringMatching(/UPSTASH_REDIS_REST_URL .* is not https/),
    ])
  })

  it('names each missing secret with the command that sets it', () => {
    const problems = deployProblems({ ...READY, secretNames: ['SESSION_SECRET'] })
    expect(problems).toEqual([
      'secret UPSTASH_REDIS_REST_TOKEN is not set: npm run wrangler -- secret put UPSTASH_REDIS_REST_TOKEN',
      'secret DATABASE_URL is not set: npm run wrangler -- secret put DATABASE_URL',
    ])
  })

  it('still checks the vars when the secrets could not be listed', () => {
    const problems = deployProblems({ ...withUrl('http://127.0.0.1:8079'), secretNames: undefined })
    expect(problems).toEqual([expect.stringMatching(/UPSTASH_REDIS_REST_URL .* loopback/)])
  })

  it('names a required var that is missing or empty', () => {
    const { UPSTASH_REDIS_REST_URL: _url, ...rest } = READY.vars
    for (const vars of [rest, { ...rest, UPSTASH_REDIS_REST_URL: ' ' }]) {
      expect(deployProblems({ ...READY, vars })).toEqual([
        'var UPSTASH_REDIS_REST_URL is not set: add it under [vars] in wrangler.toml',
      ])
    }
  })

  it('checks every var, not only the required ones', () => {
    const problems = deployProblems({
      ...READY,
      vars: { ...READY.vars, ANALYTICS_URL: 'http://localhost:9000' },
    })
    expect(problems).toEqual([expect.stringMatching(/^var ANALYTICS_URL = .* loopback/)])
  })
})
