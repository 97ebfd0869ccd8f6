import type { IncomingMessage, ServerResponse } from 'node:http'
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { GatewayError } from './connection.ts'
import { errorJson } from './encode.ts'

let syncSeq = Math.floor(Math.random() * 1e9)

/** Opaque and different on every response; clients echo it back and we ignore it (spec §9). */
export function nextSyncToken(): string {
  return (++syncSeq).toString(36)
}

/** Returns false when the client is already gone and nothing was sent. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  close: boolean
): boolean {
  if (res.headersSent || res.destroyed) return false
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'upstash-sync-token': nextSyncToken(),
  }
  if (close) headers.connection = 'close'
  res.writeHead(status, headers)
  res.end(body)
  return true
}

/**
 * Collects the body up to `limit` bytes. A larger body is rejected at once with 413, and the
 * rest is read and discarded so the client sees the answer instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'])
  if (declared > limit) {
    req.resume()
    return Promise.reject(tooLarge())
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.off('data', onData)
        req.resume()
        reject(tooLarge())
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => {
      if (size > limit) return
      resolve(
        chunks.length === 1
          ? (chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(chunks).toString('utf8')
      )
    })
    req.once('error', (error) =>
      reject(new GatewayError(400, `ERR request body: ${error.message}`))
    )
  })
}

function tooLarge(): GatewayError {
  return new GatewayError(413, 'ERR max request size exceeded')
}

/** Answers requests Node's HTTP parser rejected (bad request line, huge headers…) with JSON too. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): boolean {
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
  const body = errorJson(`ERR bad HTTP request: ${error.code ?? error.message}`)
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nupstash-sync-token: ${nextSyncToken()}\r\n` +
      `connection: close\r\n\r\n${body}`
  )
  return true
}
