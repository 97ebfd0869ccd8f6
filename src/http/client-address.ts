import type { Context } from 'hono'

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/
const GROUP = /^[0-9a-f]{1,4}$/i

const ipv4 = (text: string): number[] | null => {
  const octets = IPV4.exec(text)?.slice(1).map(Number)
  return octets?.every((octet) => octet < 256) ? octets : null
}

const hexGroups = (text: string) => (text === '' ? [] : text.split(':'))

/** The eight 16-bit groups of an IPv6 address in any valid spelling, or null. */
function ipv6(text: string): number[] | null {
  let spelled = text
  const lastColon = text.lastIndexOf(':')
  if (text.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4(text.slice(lastColon + 1)) ?? [-1]
    if (a < 0) return null
    spelled = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = spelled.split('::')
  if (halves.length > 2) return null
  const head = hexGroups(halves[0] ?? '')
  const tail = halves.length === 2 ? hexGroups(halves[1] ?? '') : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail]
  return groups.every((group) => GROUP.test(group))
    ? groups.map((g) => Number.parseInt(g, 16))
    : null
}

/**
 * The key under which an address's attempts are counted: an IPv4 address as itself, an IPv6
 * address as its /64 (one subscriber's allocation: counting each of its 2^64 addresses apart
 * would let one host guess without limit), an IPv4-mapped IPv6 address as the IPv4 address. Each
 * in one spelling, whatever the case, leading zeros or compression. Anything else is one bucket.
 */
export function throttleKey(address: string | undefined): string {
  if (address === undefined || address.length > 45) return 'unknown'
  const v4 = ipv4(address)
  if (v4) return v4.join('.')
  const g = ipv6(address)
  if (!g) return 'unknown'
  if (g.slice(0, 5).every((group) => group === 0) && g[5] === 0xffff) {
    const [high = 0, low = 0] = g.slice(6)
    return [high >> 8, high & 255, low >> 8, low & 255].join('.')
  }
  return `${g
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`
}

/** The client's address for throttling, from the header Cloudflare sets (see throttleKey). */
export const clientAddress = (c: Context): string => throttleKey(c.req.header('cf-connecting-ip'))
