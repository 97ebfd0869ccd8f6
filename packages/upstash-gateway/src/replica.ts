// One gateway URL in front of a primary Redis and its replica, like an Upstash Global database
// (PROTOCOL.md §9). A request whose commands all only read is answered by the replica, once it
// has applied every write the request's sync token names (a bounded wait; past it, the primary
// answers); anything else goes to the primary. Each answer is delayed as far as the copy that
// answered it, and carries the token to send next.
import type { AnswerTarget, RequestContext, Route } from '@edge-status/gateway-kit'
import type { CommandPool, RedisBatch, Tenant } from './execute.ts'
import type { TokenPool } from './pool.ts'
import type { ReadOnlyCommands } from './read-only.ts'
import type { Arg, Reply } from './resp.ts'
import {
  decodeToken,
  encodeToken,
  later,
  positionOf,
  type ReplicaProgress,
  type StreamPosition,
} from './sync-token.ts'

export interface ReplicaSettings {
  /** added to answers from the replica (a near region) */
  nearMs: number
  /** added to answers that needed the primary (a far region) */
  farMs: number
  /** how long a read carrying a sync token may wait for the replica */
  syncWaitMs: number
}

/** A token's Redis database on both servers. */
export interface ReplicatedTenant extends Tenant {
  pool: TokenPool
  replicaPool: TokenPool
}

export class Replication {
  readonly commands: ReadOnlyCommands
  readonly progress: ReplicaProgress
  readonly settings: ReplicaSettings
  /** INFO replication of the primary, asked once a write has been answered. */
  readonly primaryInfo: () => Promise<Reply>
  /** The primary's position after the last write this gateway made. */
  primary: StreamPosition | undefined

  constructor(
    commands: ReadOnlyCommands,
    progress: ReplicaProgress,
    primaryInfo: () => Promise<Reply>,
    settings: ReplicaSettings
  ) {
    this.commands = commands
    this.progress = progress
    this.primaryInfo = primaryInfo
    this.settings = settings
  }

  /** The token of answers that name no position of their own (errors before any command). */
  currentToken(): string {
    const known = later(this.progress.position, this.primary)
    return known ? encodeToken(known) : '0'
  }

  /**
   * The furthest of these positions in the primary's current stream: the token an answer carries
   * never goes back (the client keeps only the last one it got).
   */
  private latest(positions: (StreamPosition | undefined)[]): StreamPosition | undefined {
    const stream = this.primary?.stream
    let best: StreamPosition | undefined
    for (const p of positions) {
      if (p === undefined || (stream !== undefined && p.stream !== stream)) continue
      best = later(best, p)
    }
    return best
  }

  /** The route, with each request's commands sent to the replica or the primary. */
  route(inner: Route<Tenant>): Route<ReplicatedTenant> {
    return {
      methods: inner.methods,
      handle: async (ctx) => {
        const routed = new RoutedRequest(
          this,
          ctx.user,
          decodeToken(ctx.req.headers['upstash-sync-token'])
        )
        const answer = await inner.handle(withUser(ctx, routed.tenant))
        if ('stream' in answer) return answer
        const target = routed.target
        const position = this.latest([routed.position, routed.wanted, this.progress.position])
        return {
          ...answer,
          headers: {
            ...answer.headers,
            'upstash-sync-token': position ? encodeToken(position) : this.currentToken(),
          },
          latencyMs: target === 'primary' ? this.settings.farMs : this.settings.nearMs,
          target,
        }
      },
    }
  }
}

/** The same request context, seen by the route with another user. */
function withUser<U>(ctx: RequestContext<ReplicatedTenant>, user: U): RequestContext<U> {
  const view = Object.create(ctx) as RequestContext<U>
  Object.defineProperty(view, 'user', { value: user })
  return view
}

/**
 * The pool one request's route sees. Every route sends its commands in one call (run, or one
 * send inside exclusive), so that call decides where the whole request goes.
 */
class RoutedRequest implements CommandPool {
  readonly tenant: Tenant
  readonly wanted: StreamPosition | undefined
  target: AnswerTarget | undefined
  /** The primary's position after this request's writes. */
  position: StreamPosition | undefined
  private readonly replication: Replication
  private readonly user: ReplicatedTenant

  constructor(replication: Replication, user: ReplicatedTenant, wanted?: StreamPosition) {
    this.replication = replication
    this.user = user
    this.wanted = wanted
    this.tenant = { target: user.target, scripts: user.scripts, pool: this, copy: user.copy }
  }

  async run(commands: readonly (readonly Arg[])[]): Promise<Reply[]> {
    if (await this.replicaMayAnswer(commands)) {
      this.target = 'replica'
      try {
        return await this.user.replicaPool.run(commands)
      } catch {
        // An unreachable replica is no reason to fail a read the primary can answer.
      }
    }
    this.target = 'primary'
    if (this.replication.commands.readsOnly(commands)) return this.user.pool.run(commands)
    return this.noted(await this.user.pool.run(commands))
  }

  async exclusive<T>(fn: (conn: RedisBatch) => Promise<T>): Promise<T> {
    return fn({
      send: async (batch) => {
        // MULTI … EXEC: what is inside decides.
        if (await this.replicaMayAnswer(batch.slice(1, -1))) {
          this.target = 'replica'
          try {
            return await this.user.replicaPool.exclusive((conn) => conn.send(batch))
          } catch {
            // As in run(): the primary answers what an unreachable replica cannot.
          }
        }
        this.target = 'primary'
        return this.noted(await this.user.pool.exclusive((conn) => conn.send(batch)))
      },
    })
  }

  private async replicaMayAnswer(commands: readonly (readonly Arg[])[]): Promise<boolean> {
    if (!this.replication.commands.readsOnly(commands)) return false
    const { wanted, replication } = this
    if (wanted === undefined || wanted.stream !== replication.primary?.stream) {
      // No token, or one of another stream (a restarted primary): nothing to wait for.
      return true
    }
    return replication.progress.waitFor(wanted, replication.settings.syncWaitMs)
  }

  /**
   * Keeps the primary's position once the writes are answered: asked after their replies came, it
   * counts them (on the admin's connection, since a token's own user may not run INFO).
   */
  private async noted(replies: Reply[]): Promise<Reply[]> {
    const position = positionOf(await this.replication.primaryInfo().catch(() => null))
    if (position) {
      this.position = position
      const primary = this.replication.primary
      this.replication.primary =
        primary?.stream === position.stream ? later(position, primary) : position
    }
    return replies
  }
}
