// The per-statement time limit: a statement that runs too long fails the way a timed-out query
// fails on PlanetScale, quickly, and its connection goes back to the pool still usable.
import type { RunningGateway } from '@edge-status/gateway-kit'
import { Client, connect } from '@planetscale/database'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPlanetScaleGateway } from '../src/gateway.ts'
import { caught, createTable, MYSQL_URL } from './helpers.ts'

const DATABASE = 'ps_timeout_test'
const LIMIT_MS = 400
let gateway: RunningGateway
let client: Client

beforeAll(async () => {
  gateway = await startPlanetScaleGateway({
    mysqlUrl: MYSQL_URL,
    users: { ps_timeout: { password: 't', database: DATABASE } },
    // One pooled connection: the statement after a timeout must run on the same one.
    poolSize: 1,
    statementTimeoutMs: LIMIT_MS,
  })
  client = new Client({ url: `http://ps_timeout:t@127.0.0.1:${gateway.port}` })
})

afterAll(() => gateway?.close())

const TIMED_OUT =
  /^target: ps_timeout_test\.-\.primary: vttablet: rpc error: code = Canceled desc = \(errno 2013\) due to context deadline exceeded, elapsed time: \d+\.\d+s, killing query ID (\d+) \(CallerID: ps_timeout\)$/

describe('a statement over the time limit', () => {
  it('fails like a timed-out PlanetScale query, and the pooled connection serves the next one', async () => {
    const before = await client.execute('SELECT CONNECTION_ID() AS id')
    const id = (before.rows[0] as { id: string }).id
    const began = performance.now()
    const error = await caught(client.execute('SELECT SLEEP(1000000)'))
    const took = performance.now() - began
    expect(error.status).toBe(400)
    expect(error.body.code).toBe('CANCELED')
    expect(error.message).toMatch(TIMED_OUT)
    expect(TIMED_OUT.exec(error.message)?.[1], 'the killed query names its connection').toBe(id)
    expect(took, 'answered at the limit, not after the sleep').toBeLessThan(LIMIT_MS + 2000)
    expect(took).toBeGreaterThanOrEqual(LIMIT_MS - 50)
    const after = await client.execute('SELECT CONNECTION_ID() AS id')
    expect(after.rows, 'the same connection, back in the pool').toEqual([{ id }])
  })

  it('stops writes too, and leaves an open transaction usable', async () => {
    const table = await createTable(client, 'slow', 'id INT PRIMARY KEY, v INT')
    const tx = connect({ url: `http://ps_timeout:t@127.0.0.1:${gateway.port}` })
    await tx.execute('BEGIN')
    await tx.execute(`INSERT INTO ${table} (id, v) VALUES (1, 1)`)
    const error = await caught(tx.execute(`INSERT INTO ${table} (id, v) SELECT 2, SLEEP(100)`))
    expect(error.body.code).toBe('CANCELED')
    await tx.execute('COMMIT')
    const rows = await client.execute(`SELECT id FROM ${table} ORDER BY id`)
    expect(rows.rows, 'the timed-out insert left nothing, the first one committed').toEqual([
      { id: 1 },
    ])
  })

  it('lets statements under the limit run', async () => {
    const result = await client.execute('SELECT SLEEP(0.1) AS s')
    expect(result.rows).toEqual([{ s: '0' }])
  })
})
