import { type Prepared, prepare } from './commands.ts'
import { GatewayError } from './connection.ts'
import { encodeReply, entriesJson, entryJson, errorJson } from './encode.ts'
import { parseCommand, parseCommandList } from './json-body.ts'
import type { TokenPool } from './pool.ts'
import { type Reply, RespError } from './resp.ts'
import type { ScriptRegistry } from './scripts.ts'

export interface Tenant {
  pool: TokenPool
  scripts: ScriptRegistry
}

/** [HTTP status, JSON body] */
export type Outcome = [number, string]

/** POST /: 200 {"result":…} or 400 {"error":…} (spec §5.1). */
export async function runSingle(tenant: Tenant, body: string, base64: boolean): Promise<Outcome> {
  const command = prepare(parseCommand(body), tenant.scripts)
  if (command.refused) return [400, errorJson(command.refused.message)]
  const [reply] = await tenant.pool.run([command.args])
  const value = fixReply(command, reply as Reply)
  if (value instanceof RespError) return [400, errorJson(value.message)]
  return [200, `{"result":${encodeReply(value, base64, true)}}`]
}

/** POST /pipeline: always 200, one entry per command, errors included (spec §5.2). */
export async function runPipeline(tenant: Tenant, body: string, base64: boolean): Promise<Outcome> {
  const commands = parseCommandList(body).map((args) => prepare(args, tenant.scripts))
  const toSend: string[][] = []
  for (const command of commands) if (!command.refused) toSend.push(command.args)
  const replies = toSend.length > 0 ? await tenant.pool.run(toSend) : []
  let out = '['
  let next = 0
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i] as Prepared
    const reply = command.refused ?? fixReply(command, replies[next++] as Reply)
    out += (i > 0 ? ',' : '') + entryJson(reply, base64)
  }
  return [200, `${out}]`]
}

/**
 * POST /multi-exec: MULTI, the commands and EXEC in one write on a connection of its own.
 * Runtime errors become entries; a command rejected while queueing discards it all (spec §5.3).
 */
export async function runMulti(tenant: Tenant, body: string, base64: boolean): Promise<Outcome> {
  const commands = parseCommandList(body).map((args) => prepare(args, tenant.scripts))
  const refused = commands.find((command) => command.refused)
  if (refused?.refused) return [400, errorJson(refused.refused.message)]
  const batch = [['MULTI'], ...commands.map((command) => command.args), ['EXEC']]
  const replies = await tenant.pool.exclusive((conn) => conn.send(batch))
  const multi = replies[0]
  if (multi instanceof RespError) return [400, errorJson(multi.message)]
  const exec = replies[replies.length - 1]
  if (exec instanceof RespError) return [400, errorJson(exec.message)]
  if (exec === null) return [400, errorJson('EXECABORT Transaction discarded')]
  if (!Array.isArray(exec) || exec.length !== commands.length) {
    throw new GatewayError(502, 'ERR unexpected EXEC reply from Redis')
  }
  const results = exec.map((reply, i) => fixReply(commands[i] as Prepared, reply))
  return [200, entriesJson(results, base64)]
}

function fixReply(command: Prepared, reply: Reply): Reply {
  // SCRIPT LOAD answers with the hash the client computed, which EVALSHA will translate.
  if (command.loadSha !== undefined && Buffer.isBuffer(reply)) return Buffer.from(command.loadSha)
  return reply
}
