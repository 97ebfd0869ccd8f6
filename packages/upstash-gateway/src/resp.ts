// RESP2 encoder and streaming parser that keeps reply types apart:
// simple string -> string, bulk string -> Buffer (raw bytes), integer -> number (bigint past 2^53),
// error -> RespError (also nested inside arrays, as EXEC returns them), nil -> null.

export class RespError {
  readonly message: string
  constructor(message: string) {
    this.message = message
  }
}

export type Reply = string | Buffer | number | bigint | null | RespError | Reply[]

/** A command argument: text (sent as UTF-8) or raw bytes (a binary path-style body). */
export type Arg = string | Buffer

/** An argument as text, for the gateway's own reading of names and options. */
export function text(arg: Arg | undefined): string {
  return arg === undefined ? '' : typeof arg === 'string' ? arg : arg.toString('utf8')
}

export class RespProtocolError extends Error {}

const CR = 13
const LF = 10

/** Encodes commands (each an array of arguments) as one RESP2 buffer. */
export function encodeCommands(commands: readonly (readonly Arg[])[]): Buffer {
  let size = 0
  const lengths: number[] = []
  for (const args of commands) {
    size += 3 + digits(args.length)
    for (const arg of args) {
      const len =
        typeof arg !== 'string' || (arg.length < 64 && isAscii(arg))
          ? arg.length
          : Buffer.byteLength(arg)
      lengths.push(len)
      size += 5 + digits(len) + len
    }
  }
  const out = Buffer.allocUnsafe(size)
  let off = 0
  let n = 0
  for (const args of commands) {
    off += out.write(`*${args.length}\r\n`, off, 'latin1')
    for (const arg of args) {
      const len = lengths[n++] as number
      off += out.write(`$${len}\r\n`, off, 'latin1')
      if (typeof arg !== 'string') off += arg.copy(out, off)
      else off += out.write(arg, off, len === arg.length ? 'latin1' : 'utf8')
      out[off++] = CR
      out[off++] = LF
    }
  }
  return out
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false
  return true
}

function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length
}

interface Frame {
  items: Reply[]
  filled: number
}

const INCOMPLETE = Symbol('incomplete')

/** Incremental parser: feed() socket chunks, onReply is called once per complete top-level reply. */
export class RespParser {
  private buf: Buffer = Buffer.alloc(0)
  private off = 0
  private parked: Buffer[] = []
  private parkedLen = 0
  private need = 0
  private readonly stack: Frame[] = []
  private readonly onReply: (reply: Reply) => void

  constructor(onReply: (reply: Reply) => void) {
    this.onReply = onReply
  }

  /** Throws RespProtocolError on bytes that are not RESP2; the connection must then be dropped. */
  feed(chunk: Buffer): void {
    if (this.parkedLen > 0 || this.off < this.buf.length) {
      // Wait until a pending bulk string is fully buffered, so large values are copied once.
      this.parked.push(chunk)
      this.parkedLen += chunk.length
      if (this.buf.length - this.off + this.parkedLen < this.need) return
      this.buf = Buffer.concat([this.buf.subarray(this.off), ...this.parked])
      this.parked = []
      this.parkedLen = 0
    } else {
      this.buf = chunk
    }
    this.off = 0
    this.need = 0
    this.drain()
  }

  private drain(): void {
    const buf = this.buf
    while (this.off < buf.length) {
      let value = this.readValue(buf)
      if (value === INCOMPLETE) return
      while (true) {
        const top = this.stack[this.stack.length - 1]
        if (top === undefined) {
          this.onReply(value)
          break
        }
        top.items[top.filled++] = value
        if (top.filled < top.items.length) break
        this.stack.pop()
        value = top.items
      }
    }
  }

  private readValue(buf: Buffer): Reply | typeof INCOMPLETE {
    const start = this.off
    const eol = buf.indexOf(CR, start + 1)
    if (eol < 0 || eol + 1 >= buf.length) {
      this.need = buf.length - start + 1
      return INCOMPLETE
    }
    if (buf[eol + 1] !== LF) throw new RespProtocolError('RESP line not terminated by CRLF')
    const type = buf[start]
    if (type === 36 /* $ */) {
      const len = parseLength(buf, start + 1, eol)
      if (len < 0) {
        this.off = eol + 2
        return null
      }
      const end = eol + 2 + len
      if (end + 2 > buf.length) {
        this.need = end + 2 - start
        return INCOMPLETE
      }
      if (buf[end] !== CR || buf[end + 1] !== LF) {
        throw new RespProtocolError('RESP bulk string not terminated by CRLF')
      }
      this.off = end + 2
      return buf.subarray(eol + 2, end)
    }
    this.off = eol + 2
    switch (type) {
      case 43 /* + */:
        return buf.toString('utf8', start + 1, eol)
      case 45 /* - */:
        return new RespError(buf.toString('utf8', start + 1, eol))
      case 58 /* : */:
        return parseInteger(buf, start + 1, eol)
      case 42 /* * */:
        {
          const count = parseLength(buf, start + 1, eol)
          if (count < 0) return null
          if (count === 0) return []
          this.stack.push({ items: new Array<Reply>(count), filled: 0 })
          return this.readValue(buf)
        }
      default:
        throw new RespProtocolError(`unexpected RESP type byte ${type}`)
    }
  }
}

function parseLength(buf: Buffer, from: number, to: number): number {
  if (to - from === 2 && buf[from] === 45 && buf[from + 1] === 49) return -1
  if (to === from || to - from > 10) throw new RespProtocolError('bad RESP length')
  let n = 0
  for (let i = from; i < to; i++) {
    const d = (buf[i] as number) - 48
    if (d < 0 || d > 9) throw new RespProtocolError('bad RESP length')
    n = n * 10 + d
  }
  return n
}

function parseInteger(buf: Buffer, from: number, to: number): number | bigint {
  const text = buf.toString('latin1', from, to)
  if (!/^-?\d+$/.test(text)) throw new RespProtocolError('bad RESP integer')
  // 15 digits always fit a double exactly; longer ones keep their exact digits as bigint.
  return text.length <= 15 ? Number(text) : BigInt(text)
}
