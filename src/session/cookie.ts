import type { CookieOptions } from 'hono/utils/cookie'
import { base64url } from './keys'

export const COOKIE_NAME = 'sid'
/** __Host- prefix: Secure, Path=/, no Domain. */
export const COOKIE_OPTIONS: CookieOptions = {
  prefix: 'host',
  httpOnly: true,
  secure: true,
  sameSite: 'Lax',
  path: '/',
}

/**
 * The session cookie: `<session id>.<user id>.<HMAC-SHA256 of both under SESSION_SECRET>`. Signed,
 * not sealed: neither part is a secret to its holder, and checking it costs one native HMAC where
 * iron's unseal costs a key derivation and a cipher on every request.
 * The signature doubles as the session's key in Redis (`idHash`): a keyed hash of the ID, so a
 * Redis dump holds no usable session IDs, and no second hash is needed per request.
 */
export interface SessionCookie {
  /** 256 random bits: the secret only the cookie holds */
  sessionId: string
  /** the user's id, readable before Redis answers */
  userId: string
  /** the signature: the session's key in Redis */
  idHash: string
}

const encoder = new TextEncoder()
// 32-byte values in base64url: 43 characters, the last one with its two spare bits zero, so each
// value has a single spelling.
const B64_32 = '[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]'
const SHAPE = new RegExp(`^(${B64_32})\\.(\\d{1,20})\\.(${B64_32})$`)

interface Signer {
  /** importing the key is most of a signature's cost: once per secret and isolate */
  key: Promise<CryptoKey>
  /** cookie values this isolate has verified, oldest first: a returning visitor's costs no HMAC */
  verified: Map<string, SessionCookie>
}

const VERIFIED_KEPT = 1000
const signers = new Map<string, Signer>()

function signer(secret: string): Signer {
  let found = signers.get(secret)
  if (!found) {
    const key = crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify']
    )
    found = { key, verified: new Map() }
    signers.set(secret, found)
  }
  return found
}

/** The HMAC-SHA256 key of `secret`, imported once per isolate (other signed cookies use it too). */
export const hmacKey = (secret: string) => signer(secret).key

/** A fresh session ID for a user, signed: the cookie value to send and its Redis key. */
export async function newSessionCookie(
  secret: string,
  userId: string
): Promise<SessionCookie & { value: string }> {
  const sessionId = base64url(crypto.getRandomValues(new Uint8Array(32)))
  const payload = `${sessionId}.${userId}`
  const mac = await crypto.subtle.sign('HMAC', await signer(secret).key, encoder.encode(payload))
  const idHash = base64url(mac)
  return { sessionId, userId, idHash, value: `${payload}.${idHash}` }
}

/** The cookie's contents, or null when the value is malformed, tampered with or foreign. */
export async function verifySessionCookie(
  secret: string,
  value: string
): Promise<SessionCookie | null> {
  const { key, verified } = signer(secret)
  const known = verified.get(value)
  if (known) return known
  const parts = SHAPE.exec(value)
  if (!parts) return null
  const [, sessionId = '', userId = '', idHash = ''] = parts
  const valid = await crypto.subtle.verify(
    'HMAC',
    await key,
    Uint8Array.fromBase64(idHash, { alphabet: 'base64url' }),
    encoder.encode(`${sessionId}.${userId}`)
  )
  if (!valid) return null
  const cookie = { sessionId, userId, idHash }
  verified.set(value, cookie)
  if (verified.size > VERIFIED_KEPT) verified.delete(verified.keys().next().value as string)
  return cookie
}
