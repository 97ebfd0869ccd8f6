// node use-clients.mjs SETUP: runs a globalSetup as vitest would, makes one call through each
// official client with what it provided, runs its teardown, and prints one JSON line.
import { connect } from '@planetscale/database'
import { Redis } from '@upstash/redis'

const { default: setup } = await import(`./${process.argv[2]}`)
const provided = {}
const teardown = await setup({ provide: (key, value) => (provided[key] = value) })
const key = `packed-app:${process.pid}:${Date.now()}`
const redis = new Redis({ url: provided.upstashUrl, token: provided.upstashToken })
await redis.set(key, { from: process.argv[2] })
const stored = await redis.get(key)
await redis.del(key)
const db = connect({ url: provided.databaseUrl })
const { rows } = await db.execute('SELECT ? + 1 AS answer, DATABASE() AS db', [41])
await teardown()
console.log(JSON.stringify({ stored, rows }))
