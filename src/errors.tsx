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

function toAppError(error: Error): AppError | undefined {
  if (error instanceof AppError) return error
  if (error instanceof HTTPException) {
    return new AppError(error.status as ContentfulStatusCode, 'http_error')
  }
  // No answer from a backend (see backend.ts) is worth a retry. Anything a database answered (an
  // SQL error, a Redis error reply) is a bug on our side: a 500, below.
  if (error instanceof BackendUnavailable) {
    return new AppError(503, 'backend_unavailable', undefined, 5)
  }
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
