import { connect } from 'node:net'
import { serverAddress } from '@edge-status/gateway-kit'
import { encodeCommands } from '@edge-status/upstash-gateway/resp'
import { createConnection } from 'mysql2/promise'

/**
 * `down`: nothing answers there (refused, unreachable, silent), so a private instance may take over.
 * `error`: something answers but not as expected; never replaced behind the user's back.
 */
export type Probe = { status: 'up' } | { status: 'down' | 'error'; reason: string }

const DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
])

function fromError(error: unknown): Probe {
  const { code, message } = error as { code?: string; message?: string }
  const reason = `${code ?? 'error'}: ${message ?? String(error)}`
  return { status: code !== undefined && DOWN_CODES.has(code) ? 'down' : 'error', reason }
}

/** AUTH (if the URL has credentials) then PING over raw RESP: no client library needed. */
export function probeRedis(redisUrl: string, timeoutMs = 1500): Promise<Probe> {
  const { host, port, user, password } = serverAddress(redisUrl, 6379)
  const auth = password ? [user ? ['AUTH', user, password] : ['AUTH', password]] : []
  const request = encodeCommands([...auth, ['PING']])
  const expected = password ? 2 : 1
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    let received = ''
    let connected = false
    const finish = (probe: Probe) => {
      socket.destroy()
      resolve(probe)
    }
    // Once connected, something listens there: silence or a reset is an error, not "down".
    socket.setTimeout(timeoutMs, () =>
      finish(
        connected
          ? { status: 'error', reason: 'connected, but no answer to PING' }
          : { status: 'down', reason: 'ETIMEDOUT: no answer' }
      )
    )
    socket.once('error', (error) =>
      finish(connected ? { status: 'error', reason: error.message } : fromError(error))
    )
    socket.once('connect', () => {
      connected = true
      socket.write(request)
    })
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
      const lines = received.split('\r\n').slice(0, -1)
      const failure = lines.find((line) => line.startsWith('-'))
      if (failure) return finish({ status: 'error', reason: failure.slice(1) })
      if (lines.length >= expected) {
        const ok = lines[expected - 1] === '+PONG'
        finish(ok ? { status: 'up' } : { status: 'error', reason: `not Redis: ${lines[0]}` })
      }
    })
    socket.once('end', () => finish({ status: 'error', reason: 'closed without answering PING' }))
  })
}

/** Resolves with undefined once a TCP connection opens, or with the error that prevented it. */
function tcpConnect(host: string, port: number, timeoutMs: number): Promise<Probe | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.setTimeout(timeoutMs, () => {
      socket.destroy()
      resolve({ status: 'down', reason: 'ETIMEDOUT: no answer' })
    })
    socket.once('error', (error) => resolve(fromError(error)))
    socket.once('connect', () => {
      socket.destroy()
      resolve(undefined)
    })
  })
}

/** Logs in with the URL's credentials and runs `select 1`. */
export async function probeMysql(mysqlUrl: string, timeoutMs = 3000): Promise<Probe> {
  const { host, port } = serverAddress(mysqlUrl, 3306)
  // A plain connect first: only "nothing listens" may count as down; after that, any failure is an error.
  const unreachable = await tcpConnect(host, port, timeoutMs)
  if (unreachable) return unreachable
  try {
    const connection = await createConnection({ uri: mysqlUrl, connectTimeout: timeoutMs })
    try {
      await connection.query('select 1')
    } finally {
      connection.destroy()
    }
    return { status: 'up' }
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string }
    return { status: 'error', reason: `${code ?? 'error'}: ${message ?? String(error)}` }
  }
}

type Answer = { probe: Probe; text: string }

async function post(url: string, init: RequestInit, timeoutMs: number): Promise<Answer> {
  try {
    const signal = AbortSignal.timeout(timeoutMs)
    const response = await fetch(url, { ...init, method: 'POST', signal })
    const text = await response.text()
    if (response.ok) return { probe: { status: 'up' }, text }
    return {
      probe: { status: 'error', reason: `HTTP ${response.status}: ${text.slice(0, 200)}` },
      text,
    }
  } catch (error) {
    // fetch wraps socket errors (ECONNREFUSED…) in a TypeError's cause.
    const cause = (error as { cause?: unknown }).cause
    return { probe: cause ? fromError(cause) : { status: 'down', reason: String(error) }, text: '' }
  }
}

/** Is an Upstash-compatible server with this token answering at url? */
export async function probeUpstash(url: string, token: string, timeoutMs = 2000): Promise<Probe> {
  const init = { headers: { authorization: `Bearer ${token}` }, body: '["PING"]' }
  const { probe, text } = await post(`${url}/`, init, timeoutMs)
  if (probe.status !== 'up') return probe
  return text.includes('"PONG"') ? probe : { status: 'error', reason: text.slice(0, 200) }
}

/** Is a PlanetScale-compatible server accepting this user (http://user:pass@host:port)? */
export async function probePlanetScale(databaseUrl: string, timeoutMs = 2000): Promise<Probe> {
  const url = new URL(databaseUrl)
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  const init = {
    headers: {
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ query: 'select 1', session: null }),
  }
  const endpoint = `${url.protocol}//${url.host}/psdb.v1alpha1.Database/Execute`
  const { probe, text } = await post(endpoint, init, timeoutMs)
  if (probe.status !== 'up') return probe
  try {
    const body = JSON.parse(text) as { error?: { message?: string }; result?: unknown }
    if (body.error) return { status: 'error', reason: body.error.message ?? text.slice(0, 200) }
    if (body.result) return probe
  } catch {
    // not JSON: not a PlanetScale-compatible server
  }
  return { status: 'error', reason: `unexpected answer: ${text.slice(0, 200)}` }
}
