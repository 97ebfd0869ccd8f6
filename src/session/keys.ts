/** Redis key layout (architecture doc, "Session model"). */
export const sessionKey = (idHash: string) => `sess:${idHash}`
export const userSessionsKey = (userId: string) => `user:${userId}:sessions`

const encoder = new TextEncoder()

function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/** 256 random bits: the session ID that only the (sealed) cookie ever holds. */
export function newSessionId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)))
}

/** Redis stores only this hash, so a dump of Redis holds no usable session IDs. */
export async function hashSessionId(sessionId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(sessionId))
  return base64url(new Uint8Array(digest))
}
