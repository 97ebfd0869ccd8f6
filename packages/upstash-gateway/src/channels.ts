// Redis pub/sub ignores logical databases. Each token's channels therefore live under a prefix
// of its database's, `db<N>:`: the gateway adds it to the channels and patterns a token names and
// removes it from what it hears back, and the token's ACL user may publish under it only (so a
// script cannot reach another token's channels either). A token sees channel names as it wrote
// them; a client publishing straight to Redis uses the prefixed name.
import { type Arg, type Reply, text } from './resp.ts'

export function channelPrefix(db: number): string {
  return `db${db}:`
}

export function withPrefix(prefix: string, name: Arg): Arg {
  return typeof name === 'string' ? prefix + name : Buffer.concat([Buffer.from(prefix), name])
}

export function withoutPrefix(prefix: string, name: Reply): Reply {
  if (typeof name === 'string') return name.startsWith(prefix) ? name.slice(prefix.length) : name
  if (Buffer.isBuffer(name) && name.toString('latin1', 0, prefix.length) === prefix) {
    return name.subarray(prefix.length)
  }
  return name
}

export interface ChannelCommand {
  args: Arg[]
  /** Takes the prefix off the channel names in the reply. */
  mapReply?: (reply: Reply) => Reply
  refusal?: string
}

/** PUBLISH, SPUBLISH and PUBSUB … of a token, on its own channels. */
export function scopeChannels(name: string, args: Arg[], db: number): ChannelCommand {
  const prefix = channelPrefix(db)
  if ((name === 'publish' || name === 'spublish') && args.length >= 2) {
    args[1] = withPrefix(prefix, args[1] as Arg)
    return { args }
  }
  if (name !== 'pubsub') return { args }
  const sub = text(args[1]).toLowerCase()
  const strip = (reply: Reply, step: number) =>
    Array.isArray(reply)
      ? reply.map((item, i) => (i % step === 0 ? withoutPrefix(prefix, item) : item))
      : reply
  if (sub === 'channels' || sub === 'shardchannels') {
    const pattern = args.length > 2 ? (args[2] as Arg) : '*'
    return {
      args: [args[0] as Arg, args[1] as Arg, withPrefix(prefix, pattern), ...args.slice(3)],
      mapReply: (reply) => strip(reply, 1),
    }
  }
  if (sub === 'numsub' || sub === 'shardnumsub') {
    const names = args.slice(2).map((channel) => withPrefix(prefix, channel))
    return {
      args: [args[0] as Arg, args[1] as Arg, ...names],
      mapReply: (reply) => strip(reply, 2),
    }
  }
  if (sub === 'numpat') {
    return {
      args,
      refusal: "ERR Command is not available: 'PUBSUB NUMPAT'. It counts every token's patterns",
    }
  }
  return { args }
}
