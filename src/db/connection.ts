import { type Connection, connect } from '@planetscale/database'
import { type ReadWrite, type RequestBudget, readWrite } from '../backend'
import type { Config } from '../env'

/** What every function in src/db takes: a connection, or a transaction. */
export type Db = Pick<Connection, 'execute'>

/**
 * The request's PlanetScale handles, bounded by its budget. The answer's body is read here, under
 * the call's signal: a connection lost mid-answer is a backend failure too, not an error inside
 * the driver. The driver's own errors (SQL errors the server answered) pass unchanged.
 */
export function databases(config: Config, budget: RequestBudget): ReadWrite<Db> {
  return readWrite((repeatable) =>
    connect({
      url: config.DATABASE_URL,
      fetch: (input, init) =>
        budget.call(
          'planetscale',
          repeatable,
          async () => {
            const response = await fetch(input, { ...init, signal: budget.signal('planetscale') })
            return new Response(await response.arrayBuffer(), response)
          },
          () => false
        ),
    })
  )
}
