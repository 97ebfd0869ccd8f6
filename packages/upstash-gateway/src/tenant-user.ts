// Each token's connections log in to Redis as an ACL user of its own, limited to the token's
// database. The gateway's checks of a command's name and options cannot see inside scripts
// (`redis.call('SELECT', 9)`, `redis.call('FLUSHALL')`): Redis's ACL can, so it is the boundary.
import { createHmac } from 'node:crypto'
import { channelPrefix } from './channels.ts'
import type { RedisTarget } from './target.ts'

// Open: every command of the token's own key space and its own pub/sub channels (channels.ts).
// Closed: server administration and everything that reaches another database, the whole server
// or other clients. FLUSHDB, KEYS and SORT are in @dangerous only because they are slow or wide;
// on the token's own database they are its business.
const RULES = [
  '~*',
  '+@all',
  '-@admin',
  '-@dangerous',
  '+flushdb',
  '+keys',
  '+sort',
  '+sort_ro',
  // Another database: MOVE and COPY … DB (an ACL cannot tell COPY's options apart, so COPY is
  // closed here and granted to the copy user below, which runs no scripts).
  '-move',
  '-copy',
  '-swapdb',
  // Server-wide script and function state, and other clients' scripts.
  '-script|flush',
  '-script|kill',
  '-script|debug',
  '-function',
  // Other clients and the connection's own identity.
  '-client',
  '-hello',
  '-reset',
  '-acl',
  '-memory',
  '+memory|usage',
  '-cluster',
]

export interface TenantAccount {
  username: string
  password: string
  /** The ACL SETUSER command that creates or updates the user. */
  setup: string[]
}

/**
 * The ACL user of a token's database. The password is derived from the admin credentials, so
 * every gateway in front of the same Redis agrees on it and no one without them can compute it.
 */
export function tenantAccount(target: RedisTarget, role: 'commands' | 'copy'): TenantAccount {
  const username = `upstash-gateway-db${target.db}${role === 'copy' ? '-copy' : ''}`
  const secret = `${target.username ?? ''}\0${target.password ?? ''}`
  const password = createHmac('sha256', secret).update(`${username}\0v1`).digest('hex')
  const rules = [...RULES, `&${channelPrefix(target.db)}*`, '-select', `+select|${target.db}`]
  // The copy user may COPY (the gateway has checked there is no DB option) but run no script.
  if (role === 'copy') rules.push('+copy', '-@scripting')
  return {
    username,
    password,
    setup: ['ACL', 'SETUSER', username, 'reset', 'on', `>${password}`, ...rules],
  }
}

/**
 * What a connection sends before any request: AUTH as admin, (re)create the token's users, log
 * in as the token's user, SELECT its database. Creating the users on every connection keeps
 * them right after a Redis restart, an ACL LOAD or another gateway's older rules.
 */
export function handshakeCommands(target: RedisTarget): string[][] {
  const { username, password, db } = target
  const setup: string[][] = []
  if (password) setup.push(username ? ['AUTH', username, password] : ['AUTH', password])
  if (target.tenant) {
    const commands = tenantAccount(target, 'commands')
    setup.push(tenantAccount(target, 'copy').setup, commands.setup)
    setup.push(['AUTH', commands.username, commands.password])
  }
  if (db !== 0) setup.push(['SELECT', String(db)])
  return setup
}

/** AUTH commands that switch a connection of the token to its copy user and back. */
export function copySwitch(target: RedisTarget): { enter: string[]; leave: string[] } {
  const copy = tenantAccount(target, 'copy')
  const commands = tenantAccount(target, 'commands')
  return {
    enter: ['AUTH', copy.username, copy.password],
    leave: ['AUTH', commands.username, commands.password],
  }
}
