// Test-side client of test/node/faults/control.ts (processes and proxies live in Node).
import { env } from 'cloudflare:workers'
import { afterAll, beforeAll, inject } from 'vitest'
import type { Action, ClusterInfo, FaultSetting, Part, ProxyStats } from '../node/faults/protocol'

declare module 'vitest' {
  export interface ProvidedContext {
    faultControlUrl: string
  }
}

export type { Action, ClusterInfo, FaultSetting, Part, ProxyStats }

/** What a stack trace, a backend's error message or an address would show in a response. */
export const INTERNALS =
  /\bat \S+ \(|\.tsx?:\d|node_modules|[A-Z][a-z]+Error\b|BackendUnavailable|upstash|planetscale|errno|127\.0\.0\.1/

async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${inject('faultControlUrl')}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`fault control ${method} ${path}: ${response.status} ${text}`)
  return JSON.parse(text) as T
}

export class FaultProxy {
  readonly id: string
  readonly url: string
  constructor(id: string, url: string) {
    this.id = id
    this.url = url
  }
  set(setting: FaultSetting) {
    return control<unknown>('POST', `/proxy/${this.id}`, setting)
  }
  stats() {
    return control<ProxyStats>('GET', `/proxy/${this.id}`)
  }
  close() {
    return control<unknown>('DELETE', `/proxy/${this.id}`)
  }
}

export async function proxy(target: string): Promise<FaultProxy> {
  const { id, url } = await control<{ id: string; url: string }>('POST', '/proxy', { target })
  return new FaultProxy(id, url)
}

/** Proxies in front of the shared test gateways, and the bindings that route the app through them. */
export async function proxiedBindings() {
  const database = new URL(env.DATABASE_URL)
  const upstash = await proxy(env.UPSTASH_REDIS_REST_URL)
  const planetscale = await proxy(`${database.protocol}//${database.host}`)
  const viaProxy = new URL(planetscale.url)
  viaProxy.username = database.username
  viaProxy.password = database.password
  return {
    upstash,
    planetscale,
    bindings: {
      UPSTASH_REDIS_REST_URL: upstash.url,
      DATABASE_URL: viaProxy.toString().replace(/\/$/, ''),
    },
  }
}

export interface Proxied {
  upstash: FaultProxy
  planetscale: FaultProxy
  /** Route the app through both proxies, with the file's own bindings on top. */
  bindings: Record<string, string>
}

/** Proxies in front of both test gateways for one file's tests: made before them, closed after. */
export function proxiesForFile(extra: Record<string, string> = {}): Proxied {
  const proxied = {} as Proxied
  beforeAll(async () => {
    const made = await proxiedBindings()
    Object.assign(proxied, made, { bindings: { ...made.bindings, ...extra } })
  })
  afterAll(async () => {
    await Promise.all([proxied.upstash?.close(), proxied.planetscale?.close()])
  })
  return proxied
}

export const startCluster = () => control<ClusterInfo>('POST', '/cluster')

export const fault = (part: Part, action: Action) =>
  control<{ ms: number }>('POST', `/cluster/${part}/${action}`)
