// The throttle counts an address by the key of throttleKey: IPv6 by its /64 in one spelling.
import { describe, expect, it } from 'vitest'
import { throttleKey } from '../../src/http/client-address'

describe('throttleKey', () => {
  it('counts an IPv6 address by its /64, whatever the spelling', () => {
    const spellings = [
      '2001:db8:1:2::1',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:0DB8:0001:0002:0000:0000:0000:0009',
      '2001:db8:1:2:0:0:0:9',
      '2001:DB8:1:2::a:b',
      '2001:db8:1:2::192.0.2.10',
    ]
    for (const address of spellings) expect(throttleKey(address), address).toBe('2001:db8:1:2::/64')
    expect(throttleKey('2001:db8:1:3::1'), 'the next /64 is another key').toBe('2001:db8:1:3::/64')
    expect(throttleKey('::1')).toBe('0:0:0:0::/64')
    expect(throttleKey('fe80::')).toBe('fe80:0:0:0::/64')
  })

  it('counts an IPv4-mapped address as the IPv4 address', () => {
    for (const address of ['::ffff:192.0.2.10', '::FFFF:c000:20a', '0:0:0:0:0:ffff:192.0.2.10']) {
      expect(throttleKey(address), address).toBe('192.0.2.10')
    }
    expect(throttleKey('192.0.2.10')).toBe('192.0.2.10')
    expect(throttleKey('192.000.002.010'), 'leading zeros').toBe('192.0.2.10')
  })

  it('puts anything that is not an address into one bucket', () => {
    const invalid = [
      undefined,
      '',
      'unknown',
      '1.2.3',
      '1.2.3.256',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7::8',
      '12345::',
      '::g',
      '::ffff:1.2.3.4.5',
      '2001:db8::1 ',
      `${'1:'.repeat(30)}1`,
    ]
    for (const address of invalid) expect(throttleKey(address), String(address)).toBe('unknown')
  })
})
