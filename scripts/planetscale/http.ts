// Small HTTP helpers: bounded body reading and JSON replies that never throw.
import type { IncomingMessage, ServerResponse } from 'node:http'

export type Body = { kind: 'ok'; text: string } | { kind: 'too-large' } | { kind: 'aborted' }

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
      const text =
        chunks.length === 1
          ? (chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(chunks).toString('utf8')
      finish({ kind: 'ok', text })
    })
    req.on('error', () => finish({ kind: 'aborted' }))
    req.on('close', () => {
      if (!req.complete) finish({ kind: 'aborted' })
    })
  })
}

export function sendJson(res: ServerResponse, status: number, body: string, close = false): void {
  if (res.headersSent || res.destroyed) return
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  }
  if (close) headers.connection = 'close'
  if (status === 401) headers['www-authenticate'] = 'Basic realm="planetscale"'
  res.writeHead(status, headers)
  res.end(body)
}

/** `application/json`, optionally with parameters such as `; charset=utf-8`. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false
  const type = value.split(';', 1)[0]?.trim().toLowerCase()
  return type === 'application/json'
}
