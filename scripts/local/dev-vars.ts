import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The values `npm run dev` owns in .dev.vars (SESSION_SECRET is generated). */
export interface DevVarsValues {
  UPSTASH_REDIS_REST_URL: string
  UPSTASH_REDIS_REST_TOKEN: string
  DATABASE_URL: string
}

export interface DevVarsPlan {
  /** The file's new text; equal to the old one when nothing changes. */
  text: string
  /** What changed, one line each; empty when the file stays as it is. */
  changes: string[]
  /** Values the user set that differ from what the running services expect (kept as they are). */
  warnings: string[]
}

const MIN_SECRET_LENGTH = 32
const FALLBACK_EXAMPLE = `SESSION_SECRET=
UPSTASH_REDIS_REST_URL=
UPSTASH_REDIS_REST_TOKEN=
DATABASE_URL=
`
const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/

/** 48 random bytes, base64url: 64 characters, well above the 32 the app requires. */
export function generateSecret(): string {
  return randomBytes(48).toString('base64url')
}

/**
 * KEY=VALUE lines (dotenv style, as wrangler reads them): quotes removed, comments skipped, in
 * the file's order (node:util's parseEnv returns them sorted, and .dev.vars is written in the
 * example's order).
 */
export function parseDevVars(text: string): Map<string, string> {
  const vars = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const match = LINE.exec(line)
    if (!match?.[1] || line.trimStart().startsWith('#')) continue
    vars.set(match[1], unquote(match[2] ?? ''))
  }
  return vars
}

function unquote(value: string): string {
  const quoted = /^(['"`])(.*)\1$/.exec(value)
  if (quoted) return quoted[2] ?? ''
  // An unquoted value ends at " #" (an inline comment).
  return value.replace(/\s+#.*$/, '')
}

/**
 * The .dev.vars to write. A new file is the example with the generated secret and the services'
 * values. An existing file keeps every value the user set; only missing keys are added, and a
 * SESSION_SECRET still equal to the example's placeholder (or empty) gets a generated one.
 */
export function planDevVars(
  example: string,
  existing: string | undefined,
  values: DevVarsValues,
  secret: string = generateSecret()
): DevVarsPlan {
  const examples = parseDevVars(example)
  const wanted = new Map<string, string>([...examples, ...Object.entries(values)])
  wanted.set('SESSION_SECRET', secret)
  const placeholder = examples.get('SESSION_SECRET') ?? ''

  if (existing === undefined) {
    const lines = example.split(/\r?\n/).map((line) => {
      const key = LINE.exec(line)?.[1]
      return key && !line.trimStart().startsWith('#') && wanted.has(key)
        ? `${key}=${wanted.get(key)}`
        : line
    })
    while (lines.at(-1) === '') lines.pop()
    for (const [key, value] of wanted) if (!examples.has(key)) lines.push(`${key}=${value}`)
    const changes = ['created from .dev.vars.example, with a generated SESSION_SECRET']
    return { text: `${lines.join('\n')}\n`, changes, warnings: [] }
  }

  const current = parseDevVars(existing)
  const changes: string[] = []
  const warnings: string[] = []
  let text = existing
  const userSecret = current.get('SESSION_SECRET')
  if (userSecret !== undefined && (userSecret === '' || userSecret === placeholder)) {
    text = text
      .split('\n')
      .map((line) =>
        LINE.exec(line)?.[1] === 'SESSION_SECRET' ? `SESSION_SECRET=${secret}` : line
      )
      .join('\n')
    changes.push('SESSION_SECRET: replaced the placeholder with a generated secret')
  } else if (userSecret !== undefined && userSecret.length < MIN_SECRET_LENGTH) {
    warnings.push(
      `SESSION_SECRET is shorter than ${MIN_SECRET_LENGTH} characters: the app will refuse it`
    )
  }
  const added: string[] = []
  for (const [key, value] of wanted) {
    const mine = current.get(key)
    if (mine === undefined) {
      added.push(`${key}=${value}`)
      changes.push(`${key}: added`)
    } else if (key in values && mine !== value) {
      warnings.push(`${key} is ${mine}, but the local services expect ${value}; kept yours`)
    }
  }
  if (added.length)
    text = `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${added.join('\n')}\n`
  return { text, changes, warnings }
}

/** Creates or completes <root>/.dev.vars; returns the plan that was applied. */
export function ensureDevVars(root: string, values: DevVarsValues): DevVarsPlan {
  const file = join(root, '.dev.vars')
  const exampleFile = join(root, '.dev.vars.example')
  const example = existsSync(exampleFile) ? readFileSync(exampleFile, 'utf8') : FALLBACK_EXAMPLE
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined
  const plan = planDevVars(example, existing, values)
  // 0600: it holds secrets.
  if (plan.text !== existing) writeFileSync(file, plan.text, { mode: 0o600 })
  return plan
}
