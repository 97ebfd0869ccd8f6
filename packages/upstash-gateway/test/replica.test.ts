// The replicated gateway's pure parts: sync tokens and which commands only read. Routing itself,
// with a real primary and replica, is tested with the official client at the repository's root.
import { describe, expect, it } from 'vitest'
import { declaresNoWrites, ReadOnlyCommands } from '../src/read-only.ts'
import { decodeToken, encodeToken, later, positionOf } from '../src/sync-token.ts'

describe('sync tokens', () => {
  it('round-trips a stream position, and reads anything else as no token', () => {
    const position = { stream: '0123abcd', offset: 123_456_789 }
    expect(decodeToken(encodeToken(position))).toEqual(position)
    for (const junk of [
      '',
      '7',
      'not-a-token',
      '0123abcd-',
      'ABCDEF01-10',
      `0123abcd-${'z'.repeat(12)}`,
    ]) {
      expect(decodeToken(junk), JSON.stringify(junk)).toBeUndefined()
    }
    expect(decodeToken(['0123abcd-1', '0123abcd-2'])).toBeUndefined()
  })

  it('keeps the later position of one stream, the first of two streams', () => {
    const a = { stream: 'aaaaaaaa', offset: 5 }
    expect(later(a, { stream: 'aaaaaaaa', offset: 9 })).toEqual({ stream: 'aaaaaaaa', offset: 9 })
    expect(later(a, { stream: 'aaaaaaaa', offset: 1 })).toBe(a)
    expect(later(a, { stream: 'bbbbbbbb', offset: 99 })).toBe(a)
    expect(later(undefined, a)).toBe(a)
  })

  it('reads a position from INFO replication, on a primary and on a replica', () => {
    const id = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed'
    const primary = `# Replication\r\nrole:master\r\nmaster_replid:${id}\r\nmaster_repl_offset:4242\r\n`
    expect(positionOf(Buffer.from(primary))).toEqual({ stream: 'f00dfeed', offset: 4242 })
    const replica = `role:slave\r\nslave_repl_offset:4000\r\nmaster_replid:${id}\r\nmaster_repl_offset:4000\r\n`
    expect(positionOf(Buffer.from(replica))).toEqual({ stream: 'f00dfeed', offset: 4000 })
    expect(positionOf(Buffer.from('role:master\r\n'))).toBeUndefined()
    expect(positionOf(null)).toBeUndefined()
  })
})

describe('read-only commands', () => {
  // The shape of COMMAND's reply on Redis 7: name, arity, flags, …, subcommands at index 9.
  const entry = (name: string, flags: string[], subcommands: unknown[] = []) => [
    name,
    -1,
    flags,
    0,
    0,
    0,
    [],
    [],
    [],
    subcommands,
  ]
  const commands = ReadOnlyCommands.fromCommandReply([
    entry('get', ['readonly', 'fast']),
    entry('set', ['write', 'denyoom']),
    entry('ping', ['fast']),
    entry(
      'object',
      [],
      [entry('object|encoding', ['readonly']), entry('object|freq', ['readonly'])]
    ),
    entry('config', [], [entry('config|set', ['admin'])]),
    entry('eval', ['noscript']),
    entry('eval_ro', ['readonly', 'noscript']),
  ] as never)

  it('takes what Redis flags readonly, subcommands included, and nothing else', () => {
    expect(commands.reads(['GET', 'k'])).toBe(true)
    expect(commands.reads(['Object', 'ENCODING', 'k'])).toBe(true)
    expect(commands.reads(['EVAL_RO', 'return 1', '0'])).toBe(true)
    for (const write of [['set', 'k', 'v'], ['ping'], ['config', 'set', 'x', 'y'], ['nosuch']]) {
      expect(commands.reads(write), write.join(' ')).toBe(false)
    }
    expect(
      commands.readsOnly([
        ['get', 'a'],
        ['get', 'b'],
      ])
    ).toBe(true)
    expect(
      commands.readsOnly([
        ['get', 'a'],
        ['set', 'b', '1'],
      ])
    ).toBe(false)
    expect(commands.readsOnly([])).toBe(false)
  })

  it('reads an EVAL as read-only only when its shebang says no-writes', () => {
    expect(commands.reads(['eval', '#!lua flags=no-writes\nreturn 1', '0'])).toBe(true)
    expect(commands.reads(['eval', '#!lua flags=allow-oom,no-writes\nreturn 1', '0'])).toBe(true)
    expect(commands.reads(['eval', 'return 1', '0'])).toBe(false)
    expect(commands.reads(['eval', '-- flags=no-writes\nreturn 1', '0'])).toBe(false)
    expect(declaresNoWrites('#!lua\nreturn redis.call("set", "k", "v") -- flags=no-writes')).toBe(
      false
    )
  })
})
