// Shared by the PlanetScale gateway tests.
import { randomBytes } from 'node:crypto'
import { type Client, DatabaseError } from '@planetscale/database'

/**
 * The MySQL or MariaDB behind the gateway under test: the machine's own unless MYSQL_URL says
 * otherwise.
 */
export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'

export const unique = (label: string) => `${label}_${randomBytes(4).toString('hex')}`

/** Creates a uniquely named table, so each test owns its data. */
export async function createTable(client: Client, label: string, columns: string): Promise<string> {
  const name = unique(label)
  await client.execute(`CREATE TABLE ${name} (${columns}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`)
  return name
}

/** The DatabaseError `work` fails with; fails the test if it succeeds or throws something else. */
export async function caught(work: Promise<unknown>): Promise<DatabaseError> {
  try {
    await work
  } catch (err) {
    if (err instanceof DatabaseError) return err
    throw err
  }
  throw new Error('expected a DatabaseError, the call succeeded')
}
