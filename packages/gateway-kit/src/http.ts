// HTTP plumbing both gateways share: bounded body reading, JSON replies that never throw, a JSON
// answer to requests Node's parser refused, and listening on a port.
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'

export type Body = { kind: 'ok'; bytes: Buffer } | { kind: 'too-large' } | { kind: 'aborted' }

/**
 * Collects the body up to `limit` bytes. A larger one is answered at once as too large, and the
 * rest is read and dropped so the client sees the answer instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  const declared = Number(req.headers['content-length'])
  if (declared > limit) {
    req.resume()
    return Promise.resolve({ kind: 'too-large' })
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (body: Body) => {
      if (done) return
      done = true
      resolve(body)
    }
    req.on('data', (chunk: Buffer) => {
      if (done) return
      size += chunk.length
      if (size > limit) {
        chunks.length = 0
        finish({ kind: 'too-large' })
      } else chunks.push(chunk)
    })
    req.on('end', () => {
      finish({
        kind: 'ok',
        bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
      })
    })
    req.on('error', () => finish({ kind: 'aborted' }))
    req.on('close', () => {
      if (!req.complete) finish({ kind: 'aborted' })
    })
  })
}

/** Returns false when the client is already gone and nothing was sent. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {}
): boolean {
  if (res.headersSent || res.destroyed) return false
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  })
  res.end(body)
  return true
}

/**
 * Answers, with a JSON body of the gateway's own, a request Node's HTTP parser refused (bad
 * request line, huge headers, timeout). Returns false when the client was already gone.
 */
export function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  answer: (status: number) => { body: string; headers?: Record<string, string> }
): boolean {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy()
    return false
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'HPE_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400
  const { body, headers = {} } = answer(status)
  const lines = Object.entries({
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
    connection: 'close',
  }).map(([name, value]) => `${name}: ${value}\r\n`)
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${body}`)
  return true
}

/** Listens on host:port (0: any free port); resolves with the base URL and the port. */
export async function listen(server: Server, host: string, port: number) {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const bound = (server.address() as AddressInfo).port
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`, port: bound }
}

/** `application/json`, optionally with parameters such as `; charset=utf-8`. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false
  const type = value.split(';', 1)[0]?.trim().toLowerCase()
  return type === 'application/json'
}
