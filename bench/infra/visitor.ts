// A visitor of either app (both speak the tutorial's API): one keep-alive connection, one request
// at a time, so no pool hides a slow answer behind another. Cookies are kept and echoed by hand, as
// a browser would (ours are __Host- and Secure; this client is plain HTTP). And the bench's accounts.
import { Agent, request } from 'node:http'

/** Every account the bench creates is at this domain: cleaning up the tutorial's data finds them by it. */
export const EMAIL_DOMAIN = 'bench.invalid'
/** Sent as cf-connecting-ip: the Worker's throttle key (the tutorial ignores it). */
const ADDRESS = '203.0.113.10'
const SEEDED_STATUSES = 20

export type Role = 'reader' | 'writer' | 'login'
export type Accounts = Record<Role, Account>

export type Account = { user_name: string; user_email: string; user_password: string }

/** The tutorial answers 200 with {"error": "true"} (or true) when something failed. */
export const tutorialFailed = (body: string) => /^\s*\{\s*"error"\s*:\s*"?true/.test(body)

/** `body` is sent as JSON. */
export type HttpRequest = { method: string; path: string; cookie?: string; body?: unknown }

export const get = (path: string, cookie?: string): HttpRequest => ({ method: 'GET', path, cookie })
export const post = (path: string, body: unknown, cookie?: string): HttpRequest => ({
  method: 'POST',
  path,
  body,
  cookie,
})
export const credentials = ({ user_name: _, ...login }: Account) => login

export const headersOf = (req: Omit<HttpRequest, 'method' | 'path'>, address = ADDRESS) => ({
  'cf-connecting-ip': address,
  ...(req.cookie ? { cookie: req.cookie } : {}),
  ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
})

interface HttpResponse {
  status: number
  body: string
  /** the name=value pair of the first Set-Cookie */
  cookie: string | undefined
  /** every Set-Cookie line */
  setCookies: string[]
  /** from the request's start to the last byte of the answer */
  ms: number
}

/**
 * A Cookie header after a response's Set-Cookie lines, as a browser keeps its cookies: each one
 * replaces the cookie of its name, and one set empty or with Max-Age=0 is removed.
 */
export function withSetCookies(header: string | undefined, setCookies: string[]) {
  const jar = new Map<string, string>()
  const keep = (pair: string) => {
    const at = pair.indexOf('=')
    if (at > 0) jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim())
  }
  for (const pair of header?.split(';') ?? []) keep(pair)
  for (const line of setCookies) {
    const [pair = ''] = line.split(';')
    keep(pair)
    const name = pair.slice(0, pair.indexOf('=')).trim()
    if (jar.get(name) === '' || /;\s*max-age=0(;|$)/i.test(line)) jar.delete(name)
  }
  const pairs = [...jar].map(([name, value]) => `${name}=${value}`)
  return pairs.length > 0 ? pairs.join('; ') : undefined
}

export class Visitor {
  cookie: string | undefined
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 })
  private readonly base: URL
  private readonly address: string

  constructor(baseUrl: string, address = ADDRESS) {
    this.base = new URL(baseUrl)
    this.address = address
  }

  /** The request as given: the visitor's cookie is not added. */
  send(req: HttpRequest): Promise<HttpResponse> {
    const body = req.body === undefined ? undefined : JSON.stringify(req.body)
    const headers = {
      ...headersOf(req, this.address),
      ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }),
    }
    const { method, path } = req
    const { hostname: host, port } = this.base
    return new Promise((resolve, reject) => {
      const started = performance.now()
      const sent = request({ agent: this.agent, host, port, method, path, headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            cookie: res.headers['set-cookie']?.[0]?.split(';')[0],
            setCookies: res.headers['set-cookie'] ?? [],
            ms: performance.now() - started,
          })
        )
      })
      sent.on('error', reject)
      sent.end(body)
    })
  }

  /** With the visitor's cookie; throws unless the status is one of `statuses`, or on a failure. */
  async expect(method: string, path: string, statuses: number[], body?: unknown): Promise<string> {
    const res = await this.send({ method, path, cookie: this.cookie, body })
    this.cookie = withSetCookies(this.cookie, res.setCookies)
    if (!statuses.includes(res.status) || tutorialFailed(res.body)) {
      throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.slice(0, 200)}`)
    }
    return res.body
  }

  register(account: Account) {
    return this.expect('POST', '/register', [200, 201], account)
  }

  async login(account: Account): Promise<string> {
    await this.expect('POST', '/login', [200], credentials(account))
    if (!this.cookie) throw new Error('POST /login: no session cookie in the answer')
    return this.cookie
  }

  addStatus(text: string) {
    return this.expect('POST', '/addStatus', [200, 201], { status: text })
  }

  async fetchStatus(): Promise<unknown[]> {
    const { message } = JSON.parse(await this.expect('GET', '/fetchStatus', [200]))
    return Array.isArray(message) ? message : []
  }

  async logout(): Promise<void> {
    await this.expect('POST', '/logout', [303])
    this.cookie = undefined
  }

  close(): void {
    this.agent.destroy()
  }
}

/** Three accounts unique to this run, the same on every server. */
export function accountsFor(run: string): Accounts {
  const account = (role: Role): Account => ({
    user_name: `Bench ${role}`,
    user_email: `${role}-${run}@${EMAIL_DOMAIN}`,
    user_password: `bench-${role}-password-${run}`,
  })
  return { reader: account('reader'), writer: account('writer'), login: account('login') }
}

/** Registers the accounts on a server, the reader with SEEDED_STATUSES statuses; their cookies. */
export async function seedAccounts(url: string, accounts: Accounts): Promise<Record<Role, string>> {
  const cookies: Partial<Record<Role, string>> = {}
  for (const role of ['reader', 'writer', 'login'] as const) {
    const visitor = new Visitor(url)
    try {
      await visitor.register(accounts[role])
      cookies[role] = await visitor.login(accounts[role])
      if (role !== 'reader') continue
      for (let i = 1; i <= SEEDED_STATUSES; i++)
        await visitor.addStatus(`Seeded status number ${i}`)
      const listed = (await visitor.fetchStatus()).length
      if (listed !== SEEDED_STATUSES) {
        throw new Error(`${url}/fetchStatus lists ${listed} statuses, not ${SEEDED_STATUSES}`)
      }
    } finally {
      visitor.close()
    }
  }
  return cookies as Record<Role, string>
}
