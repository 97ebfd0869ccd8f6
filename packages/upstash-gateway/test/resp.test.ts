// Unit tests of the gateway's building blocks: the RESP2 codec, the JSON body reader and the
// reply encoder, including property tests against JSON.parse.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeReply, entriesJson } from '../src/encode.ts'
import { BodyError, parseCommand, parseCommandList } from '../src/json-body.ts'
import {
  encodeCommands,
  type Reply,
  RespError,
  RespParser,
  RespProtocolError,
} from '../src/resp.ts'

function parseAll(chunks: Buffer[]): Reply[] {
  const replies: Reply[] = []
  const parser = new RespParser((reply) => replies.push(reply))
  for (const chunk of chunks) parser.feed(chunk)
  return replies
}

function splitEvery(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size))
  return out
}

const SAMPLE = Buffer.from(
  '+OK\r\n$3\r\nbar\r\n$0\r\n\r\n$-1\r\n*-1\r\n:42\r\n:-7\r\n:9223372036854775807\r\n' +
    '-ERR boom\r\n*0\r\n*3\r\n+OK\r\n-WRONGTYPE bad\r\n*2\r\n$1\r\na\r\n:1\r\n'
)
const EXPECTED: Reply[] = [
  'OK',
  Buffer.from('bar'),
  Buffer.from(''),
  null,
  null,
  42,
  -7,
  9223372036854775807n,
  new RespError('ERR boom'),
  [],
  ['OK', new RespError('WRONGTYPE bad'), [Buffer.from('a'), 1]],
]

describe('RespParser', () => {
  it('keeps reply types apart, nested errors included', () => {
    expect(parseAll([SAMPLE])).toEqual(EXPECTED)
  })

  it('gives the same replies however the bytes are split', () => {
    for (const size of [1, 2, 3, 5, 7, 16]) {
      expect(parseAll(splitEvery(SAMPLE, size)), `chunks of ${size}`).toEqual(EXPECTED)
    }
  })

  it('assembles a large bulk string from many chunks', () => {
    const value = Buffer.alloc(3 * 1024 * 1024, 'x')
    const wire = Buffer.concat([
      Buffer.from(`$${value.length}\r\n`),
      value,
      Buffer.from('\r\n:1\r\n'),
    ])
    const replies = parseAll(splitEvery(wire, 65536))
    expect(replies.length).toBe(2)
    expect((replies[0] as Buffer).equals(value), 'bulk bytes').toBe(true)
    expect(replies[1]).toBe(1)
  })

  it('keeps raw bytes that are not UTF-8', () => {
    const [reply] = parseAll([Buffer.from([0x24, 0x32, 13, 10, 0xff, 0x00, 13, 10])])
    expect(reply).toEqual(Buffer.from([0xff, 0x00]))
  })

  it('throws a protocol error on bytes that are not RESP', () => {
    for (const bad of ['!x\r\n', '$abc\r\n', ':12a\r\n', '+OK\rX', '$1\r\nab\r\n']) {
      const parser = new RespParser(() => {})
      expect(() => parser.feed(Buffer.from(bad)), JSON.stringify(bad)).toThrow(RespProtocolError)
    }
  })
})

describe('encodeCommands', () => {
  it('writes arrays of bulk strings with UTF-8 byte lengths', () => {
    const wire = encodeCommands([['SET', 'k', 'é🙂'], ['PING']])
    expect(wire.toString('utf8')).toBe(
      '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\né🙂\r\n*1\r\n$4\r\nPING\r\n'
    )
  })

  it('round-trips through the parser', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit: 'binary' }), { minLength: 1 }), { minLength: 1 }),
        (commands) => {
          const parsed = parseAll([encodeCommands(commands)]) as Buffer[][]
          const text = parsed.map((command) => command.map((arg) => arg.toString('utf8')))
          const expected = commands.map((c) =>
            c.map((arg) => Buffer.from(arg, 'utf8').toString('utf8'))
          )
          expect(text).toEqual(expected)
        }
      )
    )
  })
})

describe('JSON body reader', () => {
  const reviver = (_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number'
      ? context?.source
      : value === true
        ? 'true'
        : value === false
          ? 'false'
          : value === null
            ? ''
            : value

  it('keeps number literals as written and converts booleans and null', () => {
    expect(
      parseCommand('[ "set" , "k", 1e+21, 0.10, -0, 12345678901234567890, true, false, null ]')
    ).toEqual(['set', 'k', '1e+21', '0.10', '-0', '12345678901234567890', 'true', 'false', ''])
    expect(parseCommandList('[["get","a"],\n\t["incrby","b",5]]')).toEqual([
      ['get', 'a'],
      ['incrby', 'b', '5'],
    ])
  })

  it('decodes escapes exactly like JSON.parse', () => {
    const s = 'q"\\/\b\f\n\r\t\u0001é🙂\ud800'
    expect(parseCommand(JSON.stringify(['echo', s]))).toEqual(['echo', s])
  })

  it('agrees with JSON.parse (source-text reviver) on arbitrary commands', () => {
    const scalar = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null)
    )
    fc.assert(
      fc.property(fc.array(fc.array(scalar, { minLength: 1 }), { minLength: 1 }), (commands) => {
        const text = JSON.stringify(commands)
        expect(parseCommandList(text)).toEqual(JSON.parse(text, reviver as never))
      })
    )
  })

  it('rejects whatever JSON.parse rejects', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (junk) => {
        const text = `["x", ${junk}]`
        let valid = true
        try {
          JSON.parse(text)
        } catch {
          valid = false
        }
        if (!valid) expect(() => parseCommand(text), text).toThrow(BodyError)
      })
    )
    for (const bad of [
      '["a",]',
      '[,"a"]',
      '["a" "b"]',
      '["\u0001"]',
      '[1.]',
      '[.5]',
      '[+1]',
      '[0x10]',
      '[NaN]',
      '["a"]]',
    ]) {
      expect(() => parseCommand(bad), bad).toThrow(BodyError)
    }
  })
})

describe('reply encoder', () => {
  it('encodes plain and base64 JSON per PROTOCOL.md §6', () => {
    const reply: Reply = [
      'OK',
      Buffer.from('é'),
      12345678901234567890n,
      null,
      new RespError('ERR x'),
      [Buffer.from([0xff])],
    ]
    expect(encodeReply(reply, false, true)).toBe(
      '["OK","é",12345678901234567890,null,{"error":"ERR x"},["\ufffd"]]'
    )
    expect(encodeReply(reply, true, true)).toBe(
      '["T0s=","w6k=",12345678901234567890,null,{"error":"ERR x"},["/w=="]]'
    )
    expect(encodeReply('OK', true, true)).toBe('"OK"')
    expect(encodeReply('PONG', true, true)).toBe('"UE9ORw=="')
    expect(entriesJson(['OK', new RespError('ERR y'), 3], true)).toBe(
      '[{"result":"OK"},{"error":"ERR y"},{"result":3}]'
    )
  })
})
