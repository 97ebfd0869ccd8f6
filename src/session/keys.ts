/**
 * Redis key layout: a session under a keyed hash of its ID; each user's index of sessions (a
 * sorted set of ID hashes scored by creation time); the passwords a change has just replaced.
 */
export const sessionKey = (idHash: string) => `sess:${idHash}`
export const userSessionsKey = (userId: string) => `user:${userId}:session-index`
/** The index as a set, before it was sorted: sessions made then may still live (a day at most). */
export const legacySessionsKey = (userId: string) => `user:${userId}:sessions`
export const replacedPasswordsKey = (userId: string) => `user:${userId}:replaced-passwords`

export const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  (bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toBase64({
    alphabet: 'base64url',
    omitPadding: true,
  })
