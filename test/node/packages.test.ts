// The three workspace packages as a project gets them: packed (prepack builds them), installed from
// the tarballs with the official clients into an empty folder outside the repository, and used
// there by plain Node, none of this repository's source in reach: both bins' --help, then both
// gateways started from a vitest-style globalSetup through their API and through their bins, each
// serving one call of its official client against the real Redis and MariaDB.
// PACKED_APP_NODE=/path/to/node runs the project on another Node (e.g. 22.0) than the tests'.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OwnedProcess } from '../../scripts/lib/launcher.ts'
import { MYSQL_URL, REDIS_URL } from './backends.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const APP_FILES = fileURLToPath(new URL('./packed-app', import.meta.url))
const PACKAGES = ['gateway-kit', 'upstash-gateway', 'planetscale-gateway']
const BINS = ['upstash-gateway', 'planetscale-gateway']
const NODE = process.env.PACKED_APP_NODE ?? process.execPath
const run = promisify(execFile)

const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
const CLIENTS = ['@upstash/redis', '@planetscale/database'].map(
  (name) => `${name}@${rootManifest.dependencies[name]}`
)

/** What `npm pack --json` says of each tarball. */
interface Packed {
  name: string
  version: string
  filename: string
  files: { path: string }[]
}

/**
 * The project's environment: another project's, so none of `npm test`'s npm_* variables (they
 * describe this repository) but where npm keeps its cache and settings, and no NODE_OPTIONS (its
 * condition would send imports to the packages' src/, which the tarballs do not hold).
 */
function appEnvironment(): NodeJS.ProcessEnv {
  const kept = /^npm_config_(cache|userconfig|globalconfig|registry)$/i
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => kept.test(name) || !/^(npm_|INIT_CWD$|NODE_OPTIONS$)/i.test(name)
    )
  )
  return { ...env, PATH: `${dirname(NODE)}${delimiter}${process.env.PATH}`, REDIS_URL, MYSQL_URL }
}

let temp: string
let app: string
let packed: Packed[]
const running: OwnedProcess[] = []

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'edge-status-packages-'))
  app = join(temp, 'app')
  mkdirSync(app)
  const workspaces = PACKAGES.flatMap((name) => ['-w', `packages/${name}`])
  const pack = await run('npm', ['pack', ...workspaces, '--pack-destination', temp, '--json'], {
    cwd: ROOT,
    timeout: 40_000,
    maxBuffer: 16 * 1024 * 1024,
  })
  packed = JSON.parse(pack.stdout)
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'packed-app', private: true, type: 'module' })
  )
  cpSync(APP_FILES, app, { recursive: true })
  const tarballs = packed.map((tarball) => join(temp, tarball.filename))
  // The clients come from npm's cache when it has them (it does after `npm ci`).
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs, ...CLIENTS],
    { cwd: app, env: appEnvironment(), timeout: 40_000 }
  )
}, 90_000)

afterAll(async () => {
  await Promise.all(running.map((owned) => owned.stop(5_000)))
  if (temp) rmSync(temp, { recursive: true, force: true })
})

describe('the packages from their tarballs', () => {
  it('hold built JavaScript and declarations, no TypeScript source', () => {
    expect(packed.map((tarball) => tarball.name).sort()).toEqual(
      PACKAGES.map((name) => `@edge-status/${name}`).sort()
    )
    for (const tarball of packed) {
      const files = tarball.files.map((file) => file.path)
      expect(files, tarball.name).toContain('README.md')
      expect(files.filter((path) => path.endsWith('.js')).length, tarball.name).toBeGreaterThan(3)
      for (const path of files.filter((file) => file.endsWith('.js'))) {
        expect(files, `${tarball.name}: declarations of ${path}`).toContain(
          path.replace(/\.js$/, '.d.ts')
        )
      }
      expect(
        files.filter((path) => /\.ts$/.test(path) && !path.endsWith('.d.ts')),
        tarball.name
      ).toEqual([])
    }
    const kit = packed.find((tarball) => tarball.name === '@edge-status/gateway-kit')
    for (const name of BINS) {
      const manifest = JSON.parse(
        readFileSync(join(app, 'node_modules/@edge-status', name, 'package.json'), 'utf8')
      )
      expect(manifest.dependencies['@edge-status/gateway-kit'], name).toBe(kit?.version)
    }
  })

  it.each(BINS)('%s --help, through npx', async (bin) => {
    const { stdout } = await run('npx', ['--no', '--', bin, '--help'], {
      cwd: app,
      env: appEnvironment(),
      timeout: 15_000,
    })
    expect(stdout).toMatch(new RegExp(`^Usage: ${bin} \\[options\\]\\n`))
    expect(stdout).toContain('--port PORT')
  })

  it.each([
    ['through their API', 'global-setup-api.mjs'],
    ['from their bins, with the testing helpers', 'global-setup-bins.mjs'],
  ])('a globalSetup starts both gateways %s; the official clients use them', async (_, setup) => {
    // In a process group of its own: stopping it also stops any gateway it left running.
    const user = new OwnedProcess({
      name: `use-clients.mjs ${setup}`,
      command: NODE,
      args: ['use-clients.mjs', setup],
      cwd: app,
      env: appEnvironment(),
      output: 'capture',
      ready: { line: /^(\{.*\})$/ },
      startupMs: 20_000,
      stopGraceMs: 5_000,
    })
    running.push(user)
    await user.start()
    expect(JSON.parse(user.readyMatch?.[1] ?? '')).toEqual({
      stored: { from: setup },
      rows: [{ answer: '42', db: 'edge_status_packages_test' }],
    })
    expect(await user.exited, 'exits once the teardown has stopped the gateways').toBe(0)
  })
})
