// fast-check material for throwing hostile HTTP at a gateway, through fetch and through raw
// sockets, and the checks every answer must pass: below 500, no stack trace, JSON.
import { connect as netConnect } from 'node:net'
import fc from 'fast-check'
import { expect } from 'vitest'

export const STACK = /\bat \S+ \(|\.ts:\d|node_modules|\n\s+at /

/** Mostly well-formed (so most requests get as far as Redis or MySQL), sometimes anything. */
export const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: odd })

export const method = mostly(
  fc.constant('POST'),
  fc.constantFrom('PUT', 'GET', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD')
)
export const auth = mostly(fc.constant('valid'), fc.constantFrom('wrong', 'none', 'garbage'))

/** Header-safe text: printable ASCII and Latin-1, no CR, LF or NUL. */
export const headerText = (maxLength: number) =>
  fc
    .array(fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })), {
      maxLength,
    })
    .map((codes) => Buffer.from(codes).toString('latin1').trim())

export const extraHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z]{1,10}$/), headerText(2000), {
  maxKeys: 3,
})

const deepJson = fc
  .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) =>
    open === '['
      ? `${'['.repeat(depth)}${']'.repeat(depth)}`
      : `${open.repeat(depth)}1${'}'.repeat(depth)}`
  )

/** `oversized` writes the canary too: a body over the limit must be refused unread. */
export const bodyOf = (valid: fc.Arbitrary<string>, oversized: string) =>
  fc.oneof(
    { weight: 14, arbitrary: valid.map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)) },
    // Lone surrogates become U+FFFD in UTF-8; raw bytes are mostly invalid UTF-8.
    {
      weight: 1,
      arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((t) => Buffer.from(t)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
    { weight: 1, arbitrary: deepJson.map((text) => Buffer.from(text)) },
    { weight: 1, arbitrary: fc.constant(Buffer.from(oversized)) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) }
  )

export interface HostileRequest {
  method: string
  path: string
  headers: Record<string, string>
  body: Buffer
}

/** Tally of answers by status, printed by the tests for the record. */
export const answered = new Map<number, number>()

/**
 * Sends one request and checks the answer: below 500 (unless `allowed5xx` says the status is
 * documented), no stack trace, and JSON except for HEAD.
 */
export async function sendHostile(
  base: string,
  request: HostileRequest,
  allowed5xx: (status: number, path: string) => boolean = () => false
) {
  const withBody = request.method !== 'GET' && request.method !== 'HEAD'
  const res = await fetch(`${base}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: withBody ? new Uint8Array(request.body) : undefined,
  })
  const text = await res.text()
  answered.set(res.status, (answered.get(res.status) ?? 0) + 1)
  const context = `${request.method} ${request.path} ${JSON.stringify(request.headers).slice(0, 200)} ${request.body.toString('latin1').slice(0, 200)} -> ${res.status} ${text.slice(0, 300)}`
  if (!allowed5xx(res.status, request.path)) expect(res.status, context).toBeLessThan(500)
  expect(text, context).not.toMatch(STACK)
  if (request.method !== 'HEAD') {
    expect(res.headers.get('content-type'), context).toMatch(/^application\/json/)
    expect(() => JSON.parse(text), context).not.toThrow()
  }
  return { status: res.status, text }
}

/** Garbage bytes and malformed HTTP/1.x requests; `authorization` is a valid header value. */
export const rawRequest = (paths: string[], authorization: string) =>
  fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((b) => Buffer.from(b)),
    fc
      .tuple(
        fc.constantFrom('POST', 'GET', 'P\u00d6ST', '', 'POST POST'),
        fc.constantFrom(...paths, '*', '', 'http://x/'),
        fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'HTTP/1.1 extra', ''),
        fc.array(
          fc.oneof(
            headerText(100).map((t) => `X-A: ${t}`),
            fc.constantFrom(
              'Content-Length: -1',
              'Content-Length: 99999999999999999999',
              'Content-Length: 5\r\nContent-Length: 6',
              'Transfer-Encoding: chunked',
              'Transfer-Encoding: gzip, chunked',
              'Host:',
              ': no name',
              'No-Colon',
              'Bad\u0000Name: x',
              `Authorization: ${authorization}`,
              `X-Huge: ${'h'.repeat(70_000)}`
            )
          ),
          { maxLength: 5 }
        ),
        fc.constantFrom('', '{"a":1}', 'zz\r\n', '5\r\nhello\r\n0\r\n\r\n', '["ping"]')
      )
      .map(([verb, target, version, headers, body]) =>
        Buffer.from(
          `${verb} ${target} ${version}\r\n${headers.join('\r\n')}\r\n\r\n${body}`,
          'latin1'
        )
      )
  )

/** Sends bytes, half-closes, and reads whatever comes back (the gateway may also just close). */
export function rawExchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port })
    let received = ''
    socket.setTimeout(3000, () => socket.destroy())
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve(received))
    socket.on('connect', () => socket.end(bytes))
  })
}

/** Every status line in a raw answer is below 500 and no stack trace shows. */
export function expectRawAnswerSafe(answer: string, context: string): void {
  for (const match of answer.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)) {
    expect(Number(match[1]), context).toBeLessThan(500)
  }
  expect(answer, context).not.toMatch(STACK)
}
