import {
  type Cast,
  Client,
  type Connection,
  DatabaseError,
  cast as driverCast,
  UnknownError,
} from '@planetscale/database'
import { currentBudget } from './budget'
import { perIsolate, type ReadWrite, readWrite } from './handles'

/** What every function in src/db takes: a connection, or a transaction. */
export type Db = Pick<Connection, 'execute'>

/**
 * The database answered (an SQL error, a refused login): the error passes unchanged. An HTTP 5xx
 * (PlanetScale saying it cannot reach its database), an UnknownError (an answer from something
 * other than the database API, such as a proxy's error page) and anything else (a timeout, a
 * connection lost mid-answer) count as no answer: retried if repeatable, then BackendUnavailable.
 */
const isDatabaseAnswer = (error: unknown) =>
  error instanceof DatabaseError && !(error instanceof UnknownError) && error.status < 500

/** UTF-8 of U+FEFF, as the driver sees a text column's bytes (one character per byte). */
const BOM_BYTES = '\xef\xbb\xbf'
const exactUtf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

/**
 * The driver's conversions, except that text reads back exactly as stored: its decoder drops a
 * leading U+FEFF (a TextDecoder's default), so a status that begins with one would come back
 * as other text.
 */
const castExactText: Cast = (field, value) => {
  const decoded = driverCast(field, value)
  return typeof decoded === 'string' && value?.startsWith(BOM_BYTES)
    ? exactUtf8.decode(Uint8Array.from(value as string, (char) => char.charCodeAt(0)))
    : decoded
}

function newDb(url: string, repeatable: boolean): Db {
  const client = new Client({
    url,
    cast: castExactText,
    fetch: (input, init) =>
      fetch(input, { ...init, signal: currentBudget().signal('planetscale') }),
  })
  const execute = (...statement: Parameters<Db['execute']>) =>
    currentBudget().call(
      'planetscale',
      repeatable,
      () => client.execute(...statement),
      isDatabaseAnswer
    )
  return { execute } as Db
}

/**
 * The PlanetScale handles, every statement bounded by the budget of the request it belongs to.
 * A Client opens a fresh connection (the driver's session state) for each statement, so one per
 * isolate serves concurrent requests.
 */
export const databases = perIsolate((config): Databases => {
  const primary = readWrite((repeatable) => newDb(config.DATABASE_URL, repeatable))
  return {
    get read() {
      return primary.read
    },
    get write() {
      return primary.write
    },
    get nearby() {
      return primary.read
    },
  }
})

/** The read-only region's handle (reads only, so repeatable); null without one. */
export const replicaDatabase = perIsolate((config) =>
  config.DATABASE_REPLICA_URL ? newDb(config.DATABASE_REPLICA_URL, true) : null
)

/**
 * One request's PlanetScale handles: the primary's two, and `nearby` for reads that may come
 * from the read-only region (the primary's `read` without one).
 */
export interface Databases extends ReadWrite<Db> {
  readonly nearby: Db
}
