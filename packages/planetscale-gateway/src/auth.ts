// Basic credentials as the driver sends them (PROTOCOL.md §2): taken from a WHATWG URL, so still
// percent-encoded (`u%40x:p%40ss`); both that form and the decoded one are accepted.
import { timingSafeEqual } from 'node:crypto'

export interface UserConfig {
  password: string
  database: string
}

export interface AuthedUser {
  username: string
  database: string
}

const MAX_CACHE = 1024

export class Authenticator {
  private readonly users: Map<string, UserConfig>
  /** Exact `Authorization` header values already accepted: one Map lookup per request. */
  private readonly accepted = new Map<string, AuthedUser>()

  constructor(users: Record<string, UserConfig>) {
    this.users = new Map(Object.entries(users))
  }

  check(header: string | undefined): AuthedUser | null {
    if (!header) return null
    const hit = this.accepted.get(header)
    if (hit) return hit
    const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header)
    if (!m) return null
    const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    // PlanetScale rejects an empty username or secret
    if (colon <= 0 || colon === decoded.length - 1) return null
    const user = this.match(decoded.slice(0, colon), decoded.slice(colon + 1))
    if (user && this.accepted.size < MAX_CACHE) this.accepted.set(header, user)
    return user
  }

  private match(rawUser: string, rawPassword: string): AuthedUser | null {
    for (const [username, password] of candidates(rawUser, rawPassword)) {
      const config = this.users.get(username)
      if (config && sameText(password, config.password)) {
        return { username, database: config.database }
      }
    }
    return null
  }
}

function candidates(user: string, password: string): [string, string][] {
  const out: [string, string][] = [[user, password]]
  const u = safeDecode(user)
  const p = safeDecode(password)
  if (u !== user || p !== password) out.push([u, p])
  return out
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
