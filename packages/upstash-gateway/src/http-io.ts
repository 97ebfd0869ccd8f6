let syncSeq = Math.floor(Math.random() * 1e9)

/**
 * Headers on every answer: an `upstash-sync-token`, opaque and different each time (clients echo
 * it back and we ignore it, spec §9), and `connection: close` while the gateway shuts down.
 */
export function upstashHeaders(close = false): Record<string, string> {
  const token = (++syncSeq).toString(36)
  return close
    ? { 'upstash-sync-token': token, connection: 'close' }
    : { 'upstash-sync-token': token }
}
