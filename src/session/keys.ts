/** Redis key layout: a session under a keyed hash of its ID, and each user's index of sessions. */
export const sessionKey = (idHash: string) => `sess:${idHash}`
export const userSessionsKey = (userId: string) => `user:${userId}:sessions`

export const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  (bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toBase64({
    alphabet: 'base64url',
    omitPadding: true,
  })
