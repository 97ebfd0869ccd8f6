// The check `npm run deploy` runs before it uploads: every secret the app requires is set on
// the Worker, every var the app needs is in wrangler.toml, and no var points at this machine or
// is still the placeholder. It refuses, naming each problem, rather than ship a Worker that fails.
//   node scripts/deploy-check.ts     exit 0 when the deploy may go ahead, 1 with the problems
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ROOT, WRANGLER_CLI, WRANGLER_ENV } from './lib/project.ts'
import { runCaptured } from './lib/run-captured.ts'

/** Secrets the app cannot start without: set on the Worker, never in wrangler.toml. */
export const REQUIRED_SECRETS = ['SESSION_SECRET', 'UPSTASH_REDIS_REST_TOKEN', 'DATABASE_URL']
/** Vars the app cannot start without (the others have defaults in the app). */
export const REQUIRED_VARS = ['UPSTASH_REDIS_REST_URL']

export interface DeployConfig {
  /** wrangler.toml [vars] */
  vars: Record<string, unknown>
  /** REQUIRED_SECRETS, or a test's own */
  requiredSecrets: readonly string[]
  /** the names `wrangler secret list` reports for the deployed Worker; undefined: unknown */
  secretNames: readonly string[] | undefined
}

const LOOPBACK_HOST =
  /^(localhost|.*\.localhost|127(\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]|\[::ffff:127(\.\d{1,3}){3}\])$/i
const PLACEHOLDER_HOST =
  /(^|\.)your-[^.]*(\.|$)|(^|\.)example\.(com|org|net)$|\.(example|invalid)$/i
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes are what it removes
const ANSI = /\u001b\[[0-9;]*m/g
const PLACEHOLDER_TEXT = /<[^>]*>|replace-with|changeme/i

/** Why this var's value must not reach production, or undefined when it may. */
function unsafeValue(value: string): string | undefined {
  if (PLACEHOLDER_TEXT.test(value)) return 'a placeholder'
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'not a valid URL'
  }
  if (LOOPBACK_HOST.test(url.hostname)) return 'a loopback address (production cannot reach it)'
  if (PLACEHOLDER_HOST.test(url.hostname)) return 'a placeholder'
  if (url.protocol !== 'https:') return 'not https (credentials would travel in clear text)'
  return undefined
}

/** Every reason not to deploy, one line each; empty when the deploy may go ahead. */
export function deployProblems({ vars, requiredSecrets, secretNames }: DeployConfig): string[] {
  const problems: string[] = []
  const set = new Set(secretNames)
  for (const name of requiredSecrets) {
    if (secretNames && !set.has(name)) {
      problems.push(`secret ${name} is not set: npm run wrangler -- secret put ${name}`)
    }
  }
  for (const name of REQUIRED_VARS) {
    const value = vars[name]
    if (value === undefined || String(value).trim() === '') {
      problems.push(`var ${name} is not set: add it under [vars] in wrangler.toml`)
    }
  }
  for (const [name, value] of Object.entries(vars)) {
    if (typeof value !== 'string') continue
    const why = unsafeValue(value)
    if (why)
      problems.push(`var ${name} = "${value}" is ${why}; set the production value in wrangler.toml`)
  }
  return problems
}

/** wrangler.toml's [vars] as wrangler reads them. */
async function readVars(): Promise<Record<string, unknown>> {
  const { unstable_readConfig } = await import('wrangler')
  return unstable_readConfig({ config: resolve(ROOT, 'wrangler.toml') }).vars ?? {}
}

/** The secrets set on the deployed Worker; none for a Worker not deployed yet. */
async function listSecretNames(): Promise<string[]> {
  let output: string
  try {
    output = await runCaptured(
      process.execPath,
      [WRANGLER_CLI, 'secret', 'list', '--format', 'json'],
      {
        cwd: ROOT,
        env: { ...process.env, ...WRANGLER_ENV, NO_COLOR: '1' },
      }
    )
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error)
    if (/Worker "[^"]*".* not found/.test(text)) return []
    // wrangler's own words, without the command line, colours and the log file's path.
    const said = text
      .split('\n')
      .slice(1)
      .map((line) => line.replace(ANSI, '').trim())
      .filter((line) => line && !line.includes('Logs were written'))
    throw new Error(
      `could not list the Worker's secrets (log in with \`npm run wrangler -- login\`, or set CLOUDFLARE_API_TOKEN): ${said.join(' ')}`
    )
  }
  const json = output.slice(output.indexOf('['), output.lastIndexOf(']') + 1)
  return (JSON.parse(json) as { name: string }[]).map((secret) => secret.name)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const vars = await readVars()
    let secretNames: string[] | undefined
    let listing: string | undefined
    try {
      secretNames = await listSecretNames()
    } catch (error) {
      listing = error instanceof Error ? error.message : String(error)
    }
    const problems = deployProblems({ vars, requiredSecrets: REQUIRED_SECRETS, secretNames })
    if (listing) problems.push(listing)
    if (problems.length > 0) {
      console.error('deploy-check: not deploying:')
      for (const problem of problems) console.error(`  - ${problem}`)
      process.exitCode = 1
    } else {
      console.log('deploy-check: every required secret and var is set')
    }
  } catch (error) {
    console.error(`deploy-check: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
}
