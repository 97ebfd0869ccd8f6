// Commands written in the URL, as curl users and other SDKs send them: GET /set/foo/bar,
// POST /set/foo with the value as the body, options after the value as query parameters
// (POST /set/foo?EX=100 is SET foo <body> EX 100).
import { isUtf8 } from 'node:buffer'
import { HttpError, type Route } from '@edge-status/gateway-kit'
import { wantsBase64 } from './encode.ts'
import { runCommand, singleOutcome, type Tenant } from './execute.ts'
import { BodyError } from './json-body.ts'
import { type Arg, RespError } from './resp.ts'

/** The path's segments, percent-decoded; a trailing slash adds nothing. */
export function pathSegments(path: string): string[] {
  const raw = path.slice(1).split('/')
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop()
  try {
    return raw.map((segment) => decodeURIComponent(segment))
  } catch {
    throw new BodyError('ERR the path is not valid percent-encoding')
  }
}

/** Query parameters as arguments, in order: `EX=100` gives EX 100, `NX` gives NX; not _token. */
export function queryArgs(search: string): string[] {
  if (search === '') return []
  const out: string[] = []
  for (const [name, value] of new URLSearchParams(search)) {
    if (name === '_token') continue
    out.push(name)
    if (value !== '') out.push(value)
  }
  return out
}

/** A body that is not UTF-8 text reaches Redis as the exact bytes sent. */
function bodyArg(body: Buffer): Arg {
  return isUtf8(body) ? body.toString('utf8') : body
}

export function pathStyleRoute(): Route<Tenant> {
  return {
    methods: ['GET', 'HEAD', 'POST', 'PUT'],
    async handle(ctx) {
      const args: Arg[] = pathSegments(ctx.path)
      const body = ctx.req.method === 'POST' || ctx.req.method === 'PUT' ? await ctx.bytes() : null
      if (body !== null && body.length > 0) args.push(bodyArg(body))
      args.push(...queryArgs(ctx.search))
      const reply = await runCommand(ctx.user, args)
      // The path names the endpoint: an unknown command is an unknown endpoint.
      if (reply instanceof RespError && reply.message.startsWith('ERR unknown command')) {
        throw new HttpError(404, reply.message)
      }
      const [status, json] = singleOutcome(reply, wantsBase64(ctx.req))
      return { status, body: json }
    },
  }
}
