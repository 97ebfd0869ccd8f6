// HTTP steps of the tutorial's API, shared by both apps: register, log in, post, fetch, log out.
// The session cookie is echoed by hand (ours is __Host- and Secure; this client is plain HTTP).

export interface Account {
  user_name: string
  user_email: string
  user_password: string
}

/** Every account the bench creates is at this domain: cleaning up the tutorial's data finds them by it. */
export const EMAIL_DOMAIN = 'bench.invalid'

/** The tutorial answers 200 with {"error": "true"} (or true) when something failed. */
export const tutorialFailed = (body: string) => /^\s*\{\s*"error"\s*:\s*"?true/.test(body)

export const JSON_HEADERS = { 'content-type': 'application/json' }

export class Visitor {
  readonly baseUrl: string
  readonly headers: Record<string, string>
  cookie: string | undefined

  /** address: sent as cf-connecting-ip (the Worker's throttle key; the tutorial ignores it) */
  constructor(baseUrl: string, address = '203.0.113.10') {
    this.baseUrl = baseUrl
    this.headers = { 'cf-connecting-ip': address }
  }

  async request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers }
    if (body !== undefined) Object.assign(headers, JSON_HEADERS)
    if (this.cookie) headers.cookie = this.cookie
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    })
    const setCookie = res.headers.getSetCookie()[0]
    if (setCookie) {
      const pair = setCookie.split(';')[0] ?? ''
      // A cleared cookie (logout) comes back empty or expired.
      this.cookie = /=\s*$/.test(pair) || /max-age=0/i.test(setCookie) ? undefined : pair
    }
    return res
  }

  /** Sends, reads the body, and throws unless the status is the expected one. */
  async expect(method: string, path: string, status: number[], body?: unknown): Promise<string> {
    const res = await this.request(method, path, body)
    const text = await res.text()
    if (!status.includes(res.status)) {
      throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`)
    }
    if (tutorialFailed(text)) {
      throw new Error(`${method} ${path}: ${text.slice(0, 200)}`)
    }
    return text
  }

  register(account: Account) {
    return this.expect('POST', '/register', [200, 201], account)
  }

  async login(account: Account): Promise<string> {
    const { user_email, user_password } = account
    await this.expect('POST', '/login', [200], { user_email, user_password })
    if (!this.cookie) throw new Error('POST /login: no session cookie in the answer')
    return this.cookie
  }

  addStatus(text: string) {
    return this.expect('POST', '/addStatus', [200, 201], { status: text })
  }

  async fetchStatus(): Promise<unknown[]> {
    const body = JSON.parse(await this.expect('GET', '/fetchStatus', [200])) as {
      message: unknown
    }
    return Array.isArray(body.message) ? body.message : []
  }
}

/** Registers, logs in and posts `statuses` statuses; returns the session cookie. */
export async function seedAccount(
  baseUrl: string,
  account: Account,
  statuses: number
): Promise<string> {
  const visitor = new Visitor(baseUrl)
  await visitor.register(account)
  const cookie = await visitor.login(account)
  for (let i = 1; i <= statuses; i++) await visitor.addStatus(`Seeded status number ${i}`)
  return cookie
}
