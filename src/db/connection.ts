import { type Connection, connect, DatabaseError, UnknownError } from '@planetscale/database'
import { type ReadWrite, type RequestBudget, readWrite } from '../backend'
import type { Config } from '../env'

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

/** The request's PlanetScale handles, every statement bounded by its budget. */
export function databases(config: Config, budget: RequestBudget): ReadWrite<Db> {
  return readWrite((repeatable) => {
    const connection = connect({
      url: config.DATABASE_URL,
      fetch: (input, init) => fetch(input, { ...init, signal: budget.signal('planetscale') }),
    })
    const execute = (...statement: Parameters<Db['execute']>) =>
      budget.call(
        'planetscale',
        repeatable,
        () => connection.execute(...statement),
        isDatabaseAnswer
      )
    return { execute } as Db
  })
}
