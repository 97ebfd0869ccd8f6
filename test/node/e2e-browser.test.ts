import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunningGateway } from '@edge-status/gateway-kit'
import { startPlanetScaleGateway } from '@edge-status/planetscale-gateway'
import { startUpstashGateway } from '@edge-status/upstash-gateway'
import { type BrowserContext, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OwnedProcess } from '../../scripts/lib/launcher.ts'
import { migrate } from '../../scripts/migrate.ts'
import { MYSQL_URL, REDIS_URL } from './backends.ts'
import { startWranglerDev } from './wrangler-dev.ts'

const CHROMIUM = '/usr/bin/chromium'
const E2E_REDIS_DB = 3
const E2E_DATABASE = 'edge_status_e2e'

let gateways: RunningGateway[] = []
let wrangler: OwnedProcess | undefined
let browser: BrowserContext | undefined
let appUrl = ''
let profileDir = ''

/** The real thing a developer runs: wrangler dev, the gateways, Redis and MariaDB, and Chromium. */
beforeAll(async () => {
  const token = `e2e-${randomBytes(8).toString('hex')}`
  const password = randomBytes(8).toString('hex')
  const upstash = await startUpstashGateway({
    redisUrl: REDIS_URL,
    tokens: { [token]: E2E_REDIS_DB },
  })
  const planetscale = await startPlanetScaleGateway({
    mysqlUrl: MYSQL_URL,
    users: { e2e: { password, database: E2E_DATABASE } },
  })
  gateways = [upstash, planetscale]
  const databaseUrl = `http://e2e:${password}@127.0.0.1:${planetscale.port}`
  await migrate(databaseUrl)

  const vars = {
    UPSTASH_REDIS_REST_URL: upstash.url,
    UPSTASH_REDIS_REST_TOKEN: token,
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: randomBytes(32).toString('hex'),
  }
  const app = await startWranglerDev(vars)
  wrangler = app.process
  appUrl = app.url

  profileDir = mkdtempSync(join(tmpdir(), 'e2e-chromium-'))
  // A fresh profile (--user-data-dir) every run.
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await wrangler?.stop()
  await Promise.all(gateways.map((gateway) => gateway.close()))
  if (profileDir) rmSync(profileDir, { recursive: true, force: true })
})

describe('the journey of a new user in Chromium through wrangler dev', () => {
  it('serves the stylesheet as a static asset with nosniff', async () => {
    const response = await fetch(`${appUrl}/app.css`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/css')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await response.text()).toContain('.visually-hidden')
  })

  it('serves the icon as a static asset', async () => {
    for (const [path, type] of [
      ['/favicon.svg', 'image/svg+xml'],
      ['/favicon.ico', 'image/'],
    ]) {
      const response = await fetch(`${appUrl}${path}`)
      expect(response.status, path).toBe(200)
      expect(response.headers.get('content-type'), path).toContain(type)
    }
  })

  it('signs up (keeping what was typed through an error), lands on /home, posts, logs out and in', async () => {
    if (!browser) throw new Error('no browser')
    const page = await browser.newPage()
    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    const origins: (string | null)[] = []
    page.on('request', (request) => {
      if (request.method() === 'POST') origins.push(request.headers().origin ?? null)
    })
    /** The focused element's id, and what its aria-describedby names say. */
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement
        const described = (element?.getAttribute('aria-describedby') ?? '')
          .split(' ')
          .map((id) => document.getElementById(id)?.textContent ?? '')
        return { id: element?.id, invalid: element?.getAttribute('aria-invalid'), described }
      })
    const email = `e2e-${randomBytes(6).toString('hex')}@example.test`
    const password = 'a long enough passphrase for e2e'

    await page.goto(`${appUrl}/`)
    // The stylesheet is a static asset (public/), served without the Worker.
    expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain(
      'system-ui'
    )
    await page.getByLabel('Name').fill('Ada E2E')
    await page.locator('#signup-email').fill(email)
    await page.locator('#signup-password').fill('too short')
    // As a browser that does not check minlength itself: the server's answer is what counts.
    await page.locator('#signup-password').evaluate((input) => input.removeAttribute('minlength'))
    const refused = page.waitForResponse(`${appUrl}/register`)
    await page.getByRole('button', { name: 'Create account' }).click()
    expect((await refused).status()).toBe(422)
    await page.waitForLoadState()
    expect(await page.getByLabel('Name').inputValue(), 'the name survives').toBe('Ada E2E')
    expect(await page.locator('#signup-email').inputValue(), 'the email survives').toBe(email)
    expect(await page.locator('#signup-password').inputValue(), 'never the password').toBe('')
    expect(await focused()).toEqual({
      id: 'signup-password',
      invalid: 'true',
      described: [
        'Choose a password of 15 to 128 characters.',
        expect.stringContaining('At least 15 characters'),
      ],
    })

    await page.locator('#signup-password').fill(password)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(`${appUrl}/home?notice=registered`)
    expect(await page.locator('h1').textContent(), 'signed in').toContain('Ada E2E')
    expect(origins, "Chromium's form posts carry our origin (Referrer-Policy)").toEqual([
      appUrl,
      appUrl,
    ])

    const hostile = '<script>alert("xss")</script> hello'
    await page.getByLabel("What's happening?").fill(hostile)
    await page.getByRole('button', { name: 'Post' }).click()
    await page.waitForURL(`${appUrl}/home?notice=posted`)
    expect(await page.locator('.statuses li p').first().textContent()).toBe(hostile)
    expect(await page.locator('.statuses script').count(), 'no script element was created').toBe(0)
    expect(dialogs, 'no script ran').toEqual([])

    await page.locator('header').getByRole('button', { name: 'Log out' }).click()
    await page.waitForURL(`${appUrl}/?notice=logged_out`)
    expect(await page.getByRole('status').textContent()).toContain('You are logged out')
    await page.goto(`${appUrl}/home`)
    expect(new URL(page.url()).pathname, 'after logout /home sends us back').toBe('/')

    await page.locator('#login-email').fill(email)
    await page.locator('#login-password').fill('not the password')
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForLoadState()
    expect(await page.locator('#login-email').inputValue(), 'the email survives').toBe(email)
    expect(await focused()).toEqual({
      id: 'login-password',
      invalid: 'true',
      described: ['Wrong email or password.'],
    })
    await page.locator('#login-password').fill(password)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.waitForURL(`${appUrl}/home`)
    await page.close()
  }, 60_000)
})
