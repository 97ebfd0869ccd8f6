// What the HTTP sections send: the bench's accounts (the same on every server), the load
// scenarios of the app section, and the requests they make.
import type { HttpRequest } from '../infra/http-load.ts'
import { type Account, EMAIL_DOMAIN, JSON_HEADERS, seedAccount, Visitor } from '../infra/journey.ts'

/** Sent as cf-connecting-ip: the Worker's throttle key (the tutorial ignores it). */
export const ADDRESS = '203.0.113.10'
export const SEEDED_STATUSES = 20

export type Role = 'reader' | 'writer' | 'login'

export interface Scenario {
  name: string
  method: 'GET' | 'POST'
  path: string
  cookie?: Role
  body?: (accounts: Record<Role, Account>) => unknown
  /** architecture.md request budget: [Upstash, PlanetScale] per request */
  budget: [number, number]
  /** the floor Worker (infra/floor.ts) serves it too */
  floor?: boolean
  /**
   * Login is CPU-bound (Argon2id) and workerd runs it on the isolate's one thread: at 10
   * connections a response takes ~1.4 s, so a short window would count only one batch.
   */
  minDurationS?: number
}

export const SCENARIOS: Scenario[] = [
  { name: 'GET / (anonymous)', method: 'GET', path: '/', budget: [0, 0] },
  {
    name: 'GET /fetchStatus',
    method: 'GET',
    path: '/fetchStatus',
    cookie: 'reader',
    budget: [1, 1],
    floor: true,
  },
  {
    name: 'POST /addStatus',
    method: 'POST',
    path: '/addStatus',
    cookie: 'writer',
    body: () => ({ status: 'A status posted by the benchmark.' }),
    budget: [1, 1],
    floor: true,
  },
  {
    name: 'POST /login',
    method: 'POST',
    path: '/login',
    body: (a) => ({ user_email: a.login.user_email, user_password: a.login.user_password }),
    budget: [2, 1],
    minDurationS: 6,
  },
]

export function requestOf(
  scenario: Scenario,
  accounts: Record<Role, Account>,
  cookies: Record<Role, string>
): HttpRequest {
  const headers: Record<string, string> = { 'cf-connecting-ip': ADDRESS }
  if (scenario.cookie) headers.cookie = cookies[scenario.cookie]
  const body = scenario.body?.(accounts)
  if (body !== undefined) Object.assign(headers, JSON_HEADERS)
  return {
    method: scenario.method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  }
}

/** Three accounts unique to this run (`run`), the same on every server. */
export function accountsFor(run: string): Record<Role, Account> {
  const account = (role: Role): Account => ({
    user_name: `Bench ${role}`,
    user_email: `${role}-${run}@${EMAIL_DOMAIN}`,
    user_password: `bench-${role}-password-${run}`,
  })
  return { reader: account('reader'), writer: account('writer'), login: account('login') }
}

/** Registers the accounts on a server, the reader with SEEDED_STATUSES statuses; their cookies. */
export async function seedAccounts(
  baseUrl: string,
  accounts: Record<Role, Account>
): Promise<Record<Role, string>> {
  const cookies = {
    reader: await seedAccount(baseUrl, accounts.reader, SEEDED_STATUSES),
    writer: await seedAccount(baseUrl, accounts.writer, 0),
    login: await seedAccount(baseUrl, accounts.login, 0),
  }
  const reader = new Visitor(baseUrl, ADDRESS)
  reader.cookie = cookies.reader
  const listed = await reader.fetchStatus()
  if (listed.length !== SEEDED_STATUSES) {
    throw new Error(
      `${baseUrl}/fetchStatus lists ${listed.length} statuses, not ${SEEDED_STATUSES}`
    )
  }
  return cookies
}
