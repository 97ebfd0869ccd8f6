import type { IncomingMessage } from 'node:http'
import { type Reply, RespError } from './resp.ts'

// Replies become JSON text directly (PROTOCOL.md §6): integers keep Redis's exact digits, bulk
// strings are UTF-8 (invalid bytes -> U+FFFD) or base64 of the raw bytes, and in base64 mode only a
// top-level simple "OK" stays plain, because the client keeps a top-level "OK" as it is and atob()s
// the rest.

export function encodeReply(reply: Reply, base64: boolean, top: boolean): string {
  if (reply === null) return 'null'
  if (typeof reply === 'string') {
    if (!base64 || (top && reply === 'OK')) return JSON.stringify(reply)
    return `"${Buffer.from(reply, 'utf8').toString('base64')}"`
  }
  if (typeof reply === 'number' || typeof reply === 'bigint') return String(reply)
  if (Buffer.isBuffer(reply)) {
    return base64 ? `"${reply.toString('base64')}"` : JSON.stringify(reply.toString('utf8'))
  }
  if (reply instanceof RespError) return errorJson(reply.message)
  let out = '['
  for (let i = 0; i < reply.length; i++) {
    if (i > 0) out += ','
    out += encodeReply(reply[i] as Reply, base64, false)
  }
  return `${out}]`
}

/** `{"error":"…"}`: error texts are never base64-encoded. */
export function errorJson(message: string): string {
  return `{"error":${JSON.stringify(message)}}`
}

/** One pipeline or transaction entry: either {"result":…} or {"error":…}, never both. */
function entryJson(reply: Reply, base64: boolean): string {
  if (reply instanceof RespError) return errorJson(reply.message)
  return `{"result":${encodeReply(reply, base64, true)}}`
}

export function entriesJson(replies: readonly Reply[], base64: boolean): string {
  let out = '['
  for (let i = 0; i < replies.length; i++) {
    if (i > 0) out += ','
    out += entryJson(replies[i] as Reply, base64)
  }
  return `${out}]`
}

/** `Upstash-Encoding: base64` asks for every string in the answer as base64. */
export function wantsBase64(req: IncomingMessage): boolean {
  return String(req.headers['upstash-encoding']).toLowerCase() === 'base64'
}
