// The app section's load scenarios (the profile section loads one of them) and the request each
// makes on a server with the bench's accounts.
import type { Account, HttpRequest, Role } from '../infra/visitor.ts'

export interface Scenario {
  name: string
  method: 'GET' | 'POST'
  path: string
  cookie?: Role
  body?: (accounts: Record<Role, Account>) => unknown
  /** architecture.md request budget: [Upstash, PlanetScale] per request */
  budget: [number, number]
  /** the floor Worker serves it too */
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
    body: ({ login }) => ({ user_email: login.user_email, user_password: login.user_password }),
    budget: [2, 1],
    minDurationS: 6,
  },
]

export const requestOf = (
  scenario: Scenario,
  accounts: Record<Role, Account>,
  cookies: Record<Role, string>
): HttpRequest => ({
  method: scenario.method,
  path: scenario.path,
  cookie: scenario.cookie && cookies[scenario.cookie],
  body: scenario.body?.(accounts),
})
