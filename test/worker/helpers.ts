import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import app from '../../src/index'

export const ORIGIN = 'https://app.test'
const COOKIE = '__Host-sid'

export const uniqueEmail = (label = 'user') =>
  `${label}-${crypto.randomUUID().slice(0, 13)}@example.test`
export const PASSWORD = 'correct horse battery staple'

type Body = { json?: unknown; form?: Record<string, string> }
export type RequestOptions = RequestInit & Body & { browser?: boolean }

/** Calls the Worker like one client would: keeps its session cookie and its own address. */
export class Client {
  cookie: string | null = null
  /** CF-Connecting-IP: a /64 of its own (the throttle counts an IPv6 address by its /64) */
  address = `2001:db8:${crypto.randomUUID().slice(0, 4)}:${crypto.randomUUID().slice(0, 4)}::1`
  /** Bindings to override (short TTLs, low limits): the app is then called directly with them. */
  private readonly overrides: Record<string, string> | undefined

  constructor(overrides?: Record<string, string>) {
    this.overrides = overrides
  }

  async request(path: string, options: RequestOptions = {}): Promise<Response> {
    const { json, form, browser, ...init } = options
    const headers = new Headers(init.headers)
    headers.set('cf-connecting-ip', this.address)
    if (this.cookie && !headers.has('cookie')) headers.set('cookie', `${COOKIE}=${this.cookie}`)
    if (browser) {
      headers.set('accept', 'text/html,application/xhtml+xml')
      headers.set('sec-fetch-mode', 'navigate')
      headers.set('sec-fetch-site', 'same-origin')
      headers.set('origin', ORIGIN)
    }
    let body = init.body
    if (json !== undefined) {
      headers.set('content-type', 'application/json')
      body = JSON.stringify(json)
    } else if (form) {
      headers.set('content-type', 'application/x-www-form-urlencoded')
      body = new URLSearchParams(form).toString()
    }
    const method = init.method ?? (body === undefined ? 'GET' : 'POST')
    const request = new Request(`${ORIGIN}${path}`, {
      ...init,
      method,
      headers,
      body,
      redirect: 'manual',
    })
    const response = await this.send(request)
    const set = sessionCookieOf(response)
    if (set !== undefined) this.cookie = set
    return response
  }

  private async send(request: Request): Promise<Response> {
    if (!this.overrides) return exports.default.fetch(request)
    const ctx = createExecutionContext()
    const response = await app.fetch(request, { ...env, ...this.overrides }, ctx)
    await waitOnExecutionContext(ctx)
    return response
  }

  async register(user: { name?: string; email: string; password?: string }) {
    const response = await this.request('/register', {
      json: {
        user_name: user.name ?? 'Test User',
        user_email: user.email,
        user_password: user.password ?? PASSWORD,
      },
    })
    if (response.status !== 201)
      throw new Error(`register ${user.email}: ${response.status} ${await response.text()}`)
  }

  async login(email: string, password = PASSWORD) {
    const response = await this.request('/login', {
      json: { user_email: email, user_password: password },
    })
    if (response.status !== 200)
      throw new Error(`login ${email}: ${response.status} ${await response.text()}`)
    return response
  }
}

/** New session value from Set-Cookie; null when cleared; undefined when not set at all. */
export function sessionCookieOf(response: Response): string | null | undefined {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${COOKIE}=`))
  if (line === undefined) return undefined
  const value = line.slice(COOKIE.length + 1).split(';')[0] ?? ''
  return value === '' || /max-age=0/i.test(line) ? null : value
}

/** A registered, logged-in client. */
export async function loggedInClient(label = 'user') {
  const client = new Client()
  const email = uniqueEmail(label)
  await client.register({ email, name: `Name ${label}` })
  await client.login(email)
  return { client, email }
}

async function readCounter(url: string, authorization: string): Promise<number> {
  const response = await fetch(`${url}/__stats`, { headers: { authorization } })
  const body = (await response.json()) as { requests: number }
  return body.requests
}

const psUrl = () => {
  const url = new URL(env.DATABASE_URL)
  return {
    base: `${url.protocol}//${url.host}`,
    auth: `Basic ${btoa(`${url.username}:${url.password}`)}`,
  }
}

export async function gatewayCounters() {
  const ps = psUrl()
  const [upstash, planetscale] = await Promise.all([
    readCounter(env.UPSTASH_REDIS_REST_URL, `Bearer ${env.UPSTASH_REDIS_REST_TOKEN}`),
    readCounter(ps.base, ps.auth),
  ])
  return { upstash, planetscale }
}

/** Backend HTTP requests made while `work` runs, as counted by the gateways themselves. */
export async function countRequests(work: () => Promise<unknown>) {
  const probe0 = await gatewayCounters()
  const probe1 = await gatewayCounters()
  // Reading a counter may itself be counted; measure that instead of assuming it.
  const selfUpstash = probe1.upstash - probe0.upstash
  const selfPlanetScale = probe1.planetscale - probe0.planetscale
  await work()
  const after = await gatewayCounters()
  return {
    upstash: after.upstash - probe1.upstash - selfUpstash,
    planetscale: after.planetscale - probe1.planetscale - selfPlanetScale,
  }
}
