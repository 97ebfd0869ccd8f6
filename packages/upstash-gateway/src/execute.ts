import { HttpError } from '@edge-status/gateway-kit'
import { type Prepared, prepare } from './commands.ts'
import type { RedisTarget } from './connection.ts'
import { encodeReply, entriesJson, errorJson } from './encode.ts'
import { parseCommand, parseCommandList } from './json-body.ts'
import { type Arg, type Reply, RespError } from './resp.ts'
import type { ScriptRegistry } from './scripts.ts'

/** A connection's side of a batch: one write, one reply per command. */
export interface RedisBatch {
  send(commands: readonly (readonly Arg[])[]): Promise<Reply[]>
}

/** Where a request's commands go: a TokenPool, or a replicated gateway's choice of one. */
export interface CommandPool {
  run(commands: readonly (readonly Arg[])[]): Promise<Reply[]>
  exclusive<T>(fn: (conn: RedisBatch) => Promise<T>): Promise<T>
}

export interface Tenant {
  /** The token's Redis database; streams open connections of their own to it. */
  target: RedisTarget
  pool: CommandPool
  scripts: ScriptRegistry
  /** AUTH commands around a COPY: to the token's copy user and back. */
  copy: { enter: Arg[]; leave: Arg[] }
}

/** [HTTP status, JSON body] */
export type Outcome = [number, string]

/** POST /: 200 {"result":…} or 400 {"error":…} (PROTOCOL.md §5.1). */
export async function runSingle(tenant: Tenant, body: string, base64: boolean): Promise<Outcome> {
  return singleOutcome(await runCommand(tenant, parseCommand(body)), base64)
}

/** One command on a shared connection; its reply, a Redis error included. */
export async function runCommand(tenant: Tenant, args: Arg[]): Promise<Reply> {
  const command = prepare(args, tenant.scripts, tenant.target.db)
  if (command.local !== undefined) return command.local
  return merge([command], await tenant.pool.run(remote([command], tenant)), true)[0] as Reply
}

export function singleOutcome(reply: Reply, base64: boolean): Outcome {
  if (reply instanceof RespError) return [400, errorJson(reply.message)]
  return [200, `{"result":${encodeReply(reply, base64, true)}}`]
}

/** POST /pipeline: always 200, one entry per command, errors included (PROTOCOL.md §5.2). */
export async function runPipeline(tenant: Tenant, body: string, base64: boolean): Promise<Outcome> {
  const commands = parseCommandList(body).map((args) =>
    prepare(args, tenant.scripts, tenant.target.db)
  )
  const toSend = remote(commands, tenant)
  const replies = toSend.length > 0 ? await tenant.pool.run(toSend) : []
  return [200, entriesJson(merge(commands, replies, true), base64)]
}

/**
 * POST /multi-exec (PROTOCOL.md §5.3): MULTI, the commands and EXEC in one write on a connection
 * of its own. Runtime errors become entries; a command rejected while queueing discards it all.
 */
export async function runMulti(tenant: Tenant, body: string, base64: boolean): Promise<Outcome> {
  const commands = parseCommandList(body).map((args) =>
    prepare(args, tenant.scripts, tenant.target.db)
  )
  for (const command of commands) {
    if (command.local instanceof RespError) return [400, errorJson(command.local.message)]
  }
  const toSend = remote(commands)
  if (toSend.length === 0) return [200, entriesJson(merge(commands, [], false), base64)]
  // COPY is checked when queued, so a transaction holding one runs as the copy user throughout.
  const switched = commands.some((command) => command.copy)
  const batch = [['MULTI'], ...toSend, ['EXEC']]
  if (switched) {
    batch.unshift(tenant.copy.enter)
    batch.push(tenant.copy.leave)
  }
  const replies = await tenant.pool.exclusive((conn) => conn.send(batch))
  const multi = replies[switched ? 1 : 0]
  if (multi instanceof RespError) return [400, errorJson(multi.message)]
  const exec = replies[replies.length - (switched ? 2 : 1)]
  if (exec instanceof RespError) return [400, errorJson(exec.message)]
  if (exec === null) return [400, errorJson('EXECABORT Transaction discarded')]
  if (!Array.isArray(exec) || exec.length !== toSend.length) {
    throw new HttpError(502, 'ERR unexpected EXEC reply from Redis')
  }
  return [200, entriesJson(merge(commands, exec, false), base64)]
}

/** What goes to Redis; given the tenant, each COPY between AUTHs to the copy user and back. */
function remote(commands: Prepared[], tenant?: Tenant): Arg[][] {
  const out: Arg[][] = []
  for (const command of commands) {
    if (command.local !== undefined) continue
    if (tenant && command.copy) out.push(tenant.copy.enter, command.args, tenant.copy.leave)
    else out.push(command.args)
  }
  return out
}

/**
 * Puts the gateway's own answers and Redis's replies back in request order; `switched`: each COPY
 * was sent between its two AUTHs (remote() given the tenant), whose replies are skipped.
 */
function merge(commands: Prepared[], replies: readonly Reply[], switched: boolean): Reply[] {
  let next = 0
  return commands.map((command) => {
    if (command.local !== undefined) return command.local
    if (switched && command.copy) {
      next += 3
      return fixReply(command, replies[next - 2] as Reply)
    }
    return fixReply(command, replies[next++] as Reply)
  })
}

function fixReply(command: Prepared, reply: Reply): Reply {
  // SCRIPT LOAD answers with the hash the client computed, which EVALSHA will translate.
  if (command.loadSha !== undefined && Buffer.isBuffer(reply)) return Buffer.from(command.loadSha)
  if (command.mapReply && !(reply instanceof RespError)) return command.mapReply(reply)
  return reply
}
