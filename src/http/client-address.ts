import type { Context } from 'hono'

/** An IPv4 or IPv6 address as Cloudflare writes it into CF-Connecting-IP. */
const ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/

/** The client's address for throttling; anything but an address (only possible locally) is one bucket. */
export function clientAddress(c: Context): string {
  const header = c.req.header('cf-connecting-ip')
  return header !== undefined && ADDRESS.test(header) ? header : 'unknown'
}
