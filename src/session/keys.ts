/** Redis key layout (architecture doc, "Session model"). */
export const sessionKey = (idHash: string) => `sess:${idHash}`
export const userSessionsKey = (userId: string) => `user:${userId}:sessions`

const encoder = new TextEncoder()

export const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  (bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toBase64({
    alphabet: 'base64url',
    omitPadding: true,
  })

/** 256 random bits: the session ID that only the cookie ever holds. */
export function newSessionId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)))
}

/** Redis stores only this hash, so a dump of Redis holds no usable session IDs. */
export async function hashSessionId(sessionId: string): Promise<string> {
  return base64url(await crypto.subtle.digest('SHA-256', encoder.encode(sessionId)))
}
