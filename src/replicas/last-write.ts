import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { serialize } from 'hono/utils/cookie'
import { hmacKey } from '../session/cookie'
import { base64url } from '../session/keys'

/**
 * What a browser's next requests need to see its own last write, wherever they are served: the
 * Upstash sync token of that write (a read carrying it is answered by the read region only once
 * the region has applied it) and, since PlanetScale's replicas have no such token, a time until
 * which its reads go to the primary. Kept in a signed cookie of its own, so any isolate in any
 * location reads it; signed, so a client cannot send others' tokens or pin itself to the primary.
 */
export interface LastWrite {
  syncToken: string
  /** ms since the epoch; 0 = read from the replica */
  primaryUntil: number
}

const NAME = 'rw'
/** Past this, the replicas have long applied the write: a lost cookie costs nothing. */
const MAX_AGE_SECONDS = 3600
const NONE: LastWrite = { syncToken: '', primaryUntil: 0 }
const SHAPE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{0,2048})\.([A-Za-z0-9_-]{43})$/
const encoder = new TextEncoder()
const decoder = new TextDecoder()

const payloadOf = (primaryUntil: number, token: string) =>
  `${primaryUntil.toString(36)}.${base64url(encoder.encode(token))}`

/** The browser's last write as its cookie says; none when absent, malformed or not signed by us. */
export async function readLastWrite(c: Context, secret: string): Promise<LastWrite> {
  const value = getCookie(c, NAME, 'host')
  const parts = value ? SHAPE.exec(value) : null
  if (!parts) return NONE
  const [, until = '', token = '', mac = ''] = parts
  const valid = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret),
    Uint8Array.fromBase64(mac, { alphabet: 'base64url' }),
    encoder.encode(`${until}.${token}`)
  )
  if (!valid) return NONE
  return {
    syncToken: decoder.decode(Uint8Array.fromBase64(token, { alphabet: 'base64url' })),
    primaryUntil: Number.parseInt(until, 36),
  }
}

/** Sends the browser its new last write (on the finished response: Set-Cookie is appended). */
export async function sendLastWrite(c: Context, secret: string, last: LastWrite): Promise<void> {
  const payload = payloadOf(last.primaryUntil, last.syncToken)
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(payload))
  const cookie = serialize(`__Host-${NAME}`, `${payload}.${base64url(mac)}`, {
    httpOnly: true,
    secure: true,
    sameSite: 'Lax',
    path: '/',
    maxAge: MAX_AGE_SECONDS,
  })
  c.res.headers.append('Set-Cookie', cookie)
}
