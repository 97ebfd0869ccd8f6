import { base64url } from './keys'

/** What the session cookie carries: the session ID, and the user id needed before Redis answers. */
export interface SessionCookie {
  sessionId: string
  userId: string
}

const encoder = new TextEncoder()
const SHAPE = /^([A-Za-z0-9_-]{43})\.(\d{1,20})\.([A-Za-z0-9_-]{43})$/

// One HMAC key per secret and isolate: importing it is most of a signature's cost.
const keys = new Map<string, Promise<CryptoKey>>()

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify']
    )
    keys.set(secret, key)
  }
  return key
}

/**
 * `<session id>.<user id>.<HMAC-SHA256 of both>`: signed, not sealed. Neither part is a secret
 * to its holder, and a signature costs one native HMAC where iron's seal costs a key derivation
 * and a cipher on every request.
 */
export async function signSessionCookie(secret: string, cookie: SessionCookie): Promise<string> {
  const payload = `${cookie.sessionId}.${cookie.userId}`
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(payload))
  return `${payload}.${base64url(mac)}`
}

/** The cookie's contents, or null when the value is malformed, tampered with or foreign. */
export async function verifySessionCookie(
  secret: string,
  value: string
): Promise<SessionCookie | null> {
  const parts = SHAPE.exec(value)
  if (!parts) return null
  const [, sessionId = '', userId = '', mac = ''] = parts
  const signature = Uint8Array.fromBase64(mac, { alphabet: 'base64url' })
  // Base64 leaves spare bits in the last character: only the one canonical spelling is valid.
  if (base64url(signature) !== mac) return null
  const payload = encoder.encode(`${sessionId}.${userId}`)
  const valid = await crypto.subtle.verify('HMAC', await hmacKey(secret), signature, payload)
  return valid ? { sessionId, userId } : null
}
