// The routes the distance section times, as each server spells them, and the depth
// architecture.md allows ours. A route may prepare its request (a fresh session to log out, a
// new address to register); the preparation is not timed.
import {
  type Account,
  EMAIL_DOMAIN,
  type HttpRequest,
  type Role,
  type Visitor,
} from '../infra/visitor.ts'

export type DistanceServer = 'ours' | 'floor' | 'tutorial'

export interface RouteContext {
  server: DistanceServer
  visitor: Visitor
  accounts: Record<Role, Account>
  cookies: Record<Role, string>
  /** unique per server and phase, for accounts created while measuring */
  run: string
}

export interface DistanceRoute {
  name: string
  servers: DistanceServer[]
  /** architecture.md: backend round trips on ours' critical path */
  targetDepth: string
  prepare(context: RouteContext, n: number): Promise<HttpRequest>
}

const ALL: DistanceServer[] = ['ours', 'floor', 'tutorial']
const get = (path: string, cookie?: string) => ({ method: 'GET', path, cookie })
const post = (path: string, body: unknown, cookie?: string) => ({
  method: 'POST',
  path,
  body,
  cookie,
})
const credentials = ({ user_email, user_password }: Account) => ({ user_email, user_password })

export const DISTANCE_ROUTES: DistanceRoute[] = [
  { name: 'GET / (anonymous)', servers: ALL, targetDepth: '0', prepare: async () => get('/') },
  {
    name: 'GET /home',
    servers: ALL,
    targetDepth: '1',
    prepare: async (c) => get('/home', c.cookies.reader),
  },
  {
    name: 'GET /fetchStatus',
    servers: ALL,
    targetDepth: '1',
    prepare: async (c) => get('/fetchStatus', c.cookies.reader),
  },
  {
    name: 'POST /addStatus',
    servers: ALL,
    targetDepth: '2',
    prepare: async (c, n) => post('/addStatus', { status: `distance ${n}` }, c.cookies.writer),
  },
  {
    name: 'POST /login',
    servers: ['ours', 'tutorial'],
    targetDepth: '2 + hash',
    prepare: async (c) => post('/login', credentials(c.accounts.login)),
  },
  {
    name: 'POST /register',
    servers: ['ours', 'tutorial'],
    targetDepth: '1 + hash (overlapping)',
    prepare: async (c, n) =>
      post('/register', {
        user_name: `Distance ${n}`,
        user_email: `distance-${c.run}-${n}@${EMAIL_DOMAIN}`,
        user_password: `distance-password-${n}`,
      }),
  },
  {
    name: 'logout',
    servers: ['ours', 'tutorial'],
    targetDepth: '1',
    prepare: async (c) => {
      const login = await c.visitor.send(post('/login', credentials(c.accounts.login)))
      if (!login.cookie) throw new Error(`${c.server}: POST /login set no cookie (${login.status})`)
      // The tutorial's logout is its GET link; ours answers a POST (the GET is kept for it too).
      return c.server === 'tutorial'
        ? get('/logout', login.cookie)
        : post('/logout', {}, login.cookie)
    },
  },
  {
    name: 'GET /account',
    servers: ['ours'],
    targetDepth: '1',
    prepare: async (c) => get('/account', c.cookies.reader),
  },
]
