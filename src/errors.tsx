import { DatabaseError } from '@planetscale/database'
import { errors } from '@upstash/redis/cloudflare'
import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { BackendUnavailable } from './backend'
import type { AppEnv } from './env'
import { wantsHtml } from './http/negotiate'
import { ERRORS, type ErrorCode } from './messages'
import { log } from './middleware/log'
import { ErrorPage } from './views/error-page'

/** An expected failure: a status and a stable code, whose text (src/messages.ts) is safe to show. */
export class AppError extends Error {
  readonly status: ContentfulStatusCode
  readonly code: ErrorCode
  readonly retryAfter: number | undefined

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string = ERRORS[code],
    retryAfter?: number
  ) {
    super(message)
    this.status = status
    this.code = code
    this.retryAfter = retryAfter
  }
}

export const throttled = (retryAfter: number) =>
  new AppError(429, 'throttled', undefined, retryAfter)

/** How @upstash/redis reports an error reply of Redis's inside a (auto-)pipeline's answer. */
const REDIS_REPLY = /^Command (\d+ \[ \S+ \] )?failed: /

/**
 * No answer from a backend (network, timeout), or a backend saying it cannot reach its database:
 * worth a retry (503). PlanetScale says so with an HTTP 5xx. @upstash/redis hides the status of a
 * refused request, but every command goes through a pipeline, whose answer carries Redis's own
 * error replies: an error without that shape is the REST endpoint refusing the whole request.
 * Anything a database answered (an SQL error, a Redis error reply) is a bug on our side: 500.
 */
function isUnavailable(error: Error): boolean {
  if (error instanceof BackendUnavailable) return true
  if (error instanceof DatabaseError) return error.status >= 500
  if (error instanceof errors.UpstashError) return !REDIS_REPLY.test(error.message)
  return false
}

function toAppError(error: Error): AppError | undefined {
  if (error instanceof AppError) return error
  if (error instanceof HTTPException) {
    return new AppError(error.status as ContentfulStatusCode, 'http_error')
  }
  if (isUnavailable(error)) return new AppError(503, 'backend_unavailable', undefined, 5)
  return undefined
}

export function respondWithError(c: Context<AppEnv>, error: AppError) {
  if (error.retryAfter) c.header('Retry-After', String(error.retryAfter))
  if (wantsHtml(c)) {
    return c.html(<ErrorPage status={error.status} message={error.message} />, error.status)
  }
  return c.json(
    { error: true, message: error.message, code: error.code, requestId: c.get('requestId') },
    error.status
  )
}

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const known = toAppError(error)
  if (known) {
    if (known.status >= 500) log(c, 'warn', { event: known.code, error: String(error) })
    return respondWithError(c, known)
  }
  log(c, 'error', { event: 'unhandled', error: String(error), stack: error.stack })
  return respondWithError(c, new AppError(500, 'internal'))
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  respondWithError(c, new AppError(404, 'not_found'))
