// The fault-control API's vocabulary, shared by its Node side (control.ts, proxy.ts, cluster.ts)
// and its client inside workerd (test/worker/fault-control.ts). No imports: both sides load it.

export const PARTS = ['redis', 'mariadb', 'upstash', 'planetscale'] as const
export type Part = (typeof PARTS)[number]
export const ACTIONS = ['kill', 'start', 'pause', 'resume'] as const
export type Action = (typeof ACTIONS)[number]

export interface ClusterInfo {
  upstashUrl: string
  upstashToken: string
  databaseUrl: string
}

/**
 * - pass: forwarded unchanged
 * - reset: the connection is dropped once the request has arrived (never forwarded)
 * - stall: held without an answer (never forwarded)
 * - slow: forwarded after `ms`, unless the client gave up first
 * - truncate: forwarded (so carried out), but the answer breaks off halfway
 */
export type FaultMode = 'pass' | 'reset' | 'stall' | 'slow' | 'truncate'

export interface FaultSetting {
  mode: FaultMode
  /** the next `count` requests get the fault, later ones pass; default: all */
  count?: number
  /** delay for `slow` */
  ms?: number
  /** only requests whose body contains this text get the fault (and count) */
  match?: string
}

export interface ProxyStats {
  /** requests received, whatever happened to them */
  received: number
  /** requests that reached the gateway */
  forwarded: number
  /** request bodies received, in order (for asserting which statements arrived) */
  bodies: string[]
  /** when each of them arrived (ms since the epoch): which ones were in flight together */
  arrivals: number[]
}
