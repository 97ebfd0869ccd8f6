// What the PlanetScale gateway's HTTP answers and requests need beyond gateway-kit's HTTP plumbing.

/** Basic auth's challenge on a 401, and `connection: close` while the gateway shuts down. */
export function planetscaleHeaders(status: number, close = false): Record<string, string> {
  const headers: Record<string, string> = {}
  if (close) headers.connection = 'close'
  if (status === 401) headers['www-authenticate'] = 'Basic realm="planetscale"'
  return headers
}

/** `application/json`, optionally with parameters such as `; charset=utf-8`. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false
  const type = value.split(';', 1)[0]?.trim().toLowerCase()
  return type === 'application/json'
}
