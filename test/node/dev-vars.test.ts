// What `npm run dev` writes to .dev.vars: created from the example, and never overriding the user.
import { describe, expect, it } from 'vitest'
import { generateSecret, parseDevVars, planDevVars } from '../../scripts/local/dev-vars.ts'

const EXAMPLE = `# Copied to .dev.vars by \`npm run dev\` (with a generated secret).
SESSION_SECRET=replace-with-at-least-32-random-characters
UPSTASH_REDIS_REST_URL=http://127.0.0.1:8079
UPSTASH_REDIS_REST_TOKEN=dev-token
DATABASE_URL=http://app:app-dev-password@127.0.0.1:8078
`
const VALUES = {
  UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:8079',
  UPSTASH_REDIS_REST_TOKEN: 'dev-token',
  DATABASE_URL: 'http://app:app-dev-password@127.0.0.1:8078',
}
const SECRET = 'generated-secret-0123456789-0123456789-0123456789'

describe('generateSecret', () => {
  it('gives 48+ URL-safe characters, different every time', () => {
    const a = generateSecret()
    expect(a.length, a).toBeGreaterThanOrEqual(48)
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(generateSecret()).not.toBe(a)
  })
})

describe('parseDevVars', () => {
  it('reads KEY=VALUE lines, strips quotes and inline comments, skips comments', () => {
    const vars = parseDevVars(
      `# SESSION_SECRET=commented\nA="quoted # kept"\nexport B=plain # note\nC=\n`
    )
    expect(Object.fromEntries(vars)).toEqual({ A: 'quoted # kept', B: 'plain', C: '' })
  })
})

describe('planDevVars', () => {
  it('creates the file from the example with a generated secret and the services values', () => {
    const plan = planDevVars(EXAMPLE, undefined, VALUES, SECRET)
    expect(plan.text).toBe(EXAMPLE.replace('replace-with-at-least-32-random-characters', SECRET))
    expect(plan.changes).toHaveLength(1)
    expect(plan.warnings).toEqual([])
  })

  it('keeps an existing file as it is, the user secret included', () => {
    const mine = `SESSION_SECRET=my-own-secret-that-is-long-enough-0123456789\nUPSTASH_REDIS_REST_URL=${VALUES.UPSTASH_REDIS_REST_URL}\nUPSTASH_REDIS_REST_TOKEN=dev-token\nDATABASE_URL=${VALUES.DATABASE_URL}\nEXTRA=1\n`
    const plan = planDevVars(EXAMPLE, mine, VALUES, SECRET)
    expect(plan).toEqual({ text: mine, changes: [], warnings: [] })
  })

  it('adds only the missing keys', () => {
    const mine = 'SESSION_SECRET=my-own-secret-that-is-long-enough-0123456789'
    const plan = planDevVars(EXAMPLE, mine, VALUES, SECRET)
    expect(plan.text).toBe(
      `${mine}\nUPSTASH_REDIS_REST_URL=http://127.0.0.1:8079\nUPSTASH_REDIS_REST_TOKEN=dev-token\nDATABASE_URL=${VALUES.DATABASE_URL}\n`
    )
    expect(plan.changes).toEqual([
      'UPSTASH_REDIS_REST_URL: added',
      'UPSTASH_REDIS_REST_TOKEN: added',
      'DATABASE_URL: added',
    ])
  })

  it('adds the gateway URL to a file written before it lived there', () => {
    const older = `SESSION_SECRET=my-own-secret-that-is-long-enough-0123456789\nUPSTASH_REDIS_REST_TOKEN=dev-token\nDATABASE_URL=${VALUES.DATABASE_URL}\n`
    const plan = planDevVars(EXAMPLE, older, VALUES, SECRET)
    expect(plan.text).toBe(`${older}UPSTASH_REDIS_REST_URL=http://127.0.0.1:8079\n`)
    expect(plan.changes).toEqual(['UPSTASH_REDIS_REST_URL: added'])
  })

  it('replaces the placeholder secret copied from the example', () => {
    const plan = planDevVars(EXAMPLE, EXAMPLE, VALUES, SECRET)
    expect(parseDevVars(plan.text).get('SESSION_SECRET')).toBe(SECRET)
    expect(plan.changes).toEqual([
      'SESSION_SECRET: replaced the placeholder with a generated secret',
    ])
  })

  it('warns, without changing anything, about values that do not match the services', () => {
    const mine = `SESSION_SECRET=short\nUPSTASH_REDIS_REST_URL=${VALUES.UPSTASH_REDIS_REST_URL}\nUPSTASH_REDIS_REST_TOKEN=other\nDATABASE_URL=${VALUES.DATABASE_URL}\n`
    const plan = planDevVars(EXAMPLE, mine, VALUES, SECRET)
    expect(plan.text).toBe(mine)
    expect(plan.warnings).toEqual([
      'SESSION_SECRET is shorter than 32 characters: the app will refuse it',
      'UPSTASH_REDIS_REST_TOKEN is other, but the local services expect dev-token; kept yours',
    ])
  })
})
