// A JSON reader for exactly the shapes the REST API takes: an array of scalars (one command) or an
// array of arrays of scalars (pipeline, transaction). Unlike JSON.parse it keeps the literal text
// of numbers (`1e+21`, `0.10`, 2^64), which is what must reach Redis (PROTOCOL.md §4). It is also
// about ten times faster than JSON.parse with a reviver that reads context.source.
import { HttpError } from '@edge-status/gateway-kit'

/** A body the REST API does not take: answered 400 with the message. */
export class BodyError extends HttpError {
  constructor(message: string) {
    super(400, message)
  }
}

type Item = string | string[]

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
// Strings holding a backslash or a control character go through JSON.parse for exact semantics.
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings
const NOT_VERBATIM = /[\\\u0000-\u001f]/

/** `["cmd", arg, ...]` -> argument strings. */
export function parseCommand(text: string): string[] {
  const items = parseBody(text)
  if (items.length === 0) throw new BodyError('ERR empty command')
  for (const item of items) {
    if (typeof item !== 'string') throw new BodyError(NESTED)
  }
  return items as string[]
}

/** `[["cmd", ...], ...]` -> commands. */
export function parseCommandList(text: string): string[][] {
  const items = parseBody(text)
  if (items.length === 0) throw new BodyError('ERR empty pipeline: send at least one command')
  for (const item of items) {
    if (typeof item === 'string') {
      throw new BodyError('ERR expected a JSON array of commands, each a JSON array')
    }
    if (item.length === 0) throw new BodyError('ERR empty command')
  }
  return items as string[][]
}

const NESTED = 'ERR command arguments must be strings, numbers, booleans or null'

function parseBody(text: string): Item[] {
  const reader = new Reader(text)
  reader.skipSpace()
  if (text.charCodeAt(reader.pos) !== 91 /* [ */) {
    throw new BodyError('ERR request body must be a JSON array')
  }
  const items = reader.array(true) as Item[]
  reader.skipSpace()
  if (reader.pos !== text.length) reader.fail()
  return items
}

class Reader {
  pos = 0
  private readonly text: string

  constructor(text: string) {
    this.text = text
  }

  fail(): never {
    throw new BodyError(`ERR invalid JSON body at position ${this.pos}`)
  }

  skipSpace(): void {
    const text = this.text
    let c = text.charCodeAt(this.pos)
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++this.pos)
  }

  /** Reads `[...]` at pos; nested arrays are allowed one level down when outer is true. */
  array(outer: boolean): Item[] {
    const out: Item[] = []
    this.pos++
    this.skipSpace()
    if (this.text.charCodeAt(this.pos) === 93 /* ] */) {
      this.pos++
      return out
    }
    while (true) {
      this.skipSpace()
      const c = this.text.charCodeAt(this.pos)
      if (c === 91 /* [ */) {
        if (!outer) throw new BodyError(NESTED)
        out.push(this.array(false) as string[])
      } else if (c === 123 /* { */) {
        throw new BodyError(NESTED)
      } else {
        out.push(this.scalar(c))
      }
      this.skipSpace()
      const next = this.text.charCodeAt(this.pos++)
      if (next === 93 /* ] */) return out
      if (next !== 44 /* , */) {
        this.pos--
        this.fail()
      }
    }
  }

  private scalar(c: number): string {
    if (c === 34 /* " */) return this.string()
    if (c === 45 || (c >= 48 && c <= 57)) {
      NUMBER.lastIndex = this.pos
      const match = NUMBER.exec(this.text)
      if (match === null) this.fail()
      this.pos += match[0].length
      return match[0]
    }
    if (this.literal('true')) return 'true'
    if (this.literal('false')) return 'false'
    if (this.literal('null')) return ''
    this.fail()
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false
    this.pos += word.length
    return true
  }

  private string(): string {
    const text = this.text
    const start = this.pos
    let end = text.indexOf('"', start + 1)
    if (end < 0) this.fail()
    const verbatim = text.slice(start + 1, end)
    if (!NOT_VERBATIM.test(verbatim)) {
      this.pos = end + 1
      return verbatim
    }
    while (true) {
      let slashes = 0
      while (text.charCodeAt(end - 1 - slashes) === 92) slashes++
      if (slashes % 2 === 0) break
      end = text.indexOf('"', end + 1)
      if (end < 0) this.fail()
    }
    try {
      const value = JSON.parse(text.slice(start, end + 1)) as string
      this.pos = end + 1
      return value
    } catch {
      this.fail()
    }
  }
}
