import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from './app-env'
import { BackendUnavailable } from './backends/budget'
import { wantsHtml } from './http/negotiate'
import { log } from './log'
import { ERRORS, type ErrorCode } from './messages'
import { ErrorPage } from './views/error-page'

/** An expected failure: a stable code, which owns its status and safe text (src/messages.ts). */
export class AppError extends Error {
  readonly status: ContentfulStatusCode
  readonly code: ErrorCode
  readonly retryAfter: number | undefined

  constructor(
    code: ErrorCode,
    options: { retryAfter?: number; status?: ContentfulStatusCode } = {}
  ) {
    super(ERRORS[code].text)
    this.code = code
    this.status = options.status ?? ERRORS[code].status
    this.retryAfter = options.retryAfter
  }
}

function toAppError(error: Error): AppError | undefined {
  if (error instanceof AppError) return error
  if (error instanceof HTTPException) {
    return new AppError('http_error', { status: error.status as ContentfulStatusCode })
  }
  // No answer from a backend (see backends/budget.ts) is worth a retry. Anything a database
  // answered (an SQL error, a Redis error reply) is a bug on our side: a 500, below.
  if (error instanceof BackendUnavailable) {
    return new AppError('backend_unavailable', { retryAfter: 5 })
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
  return respondWithError(c, new AppError('internal'))
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  respondWithError(c, new AppError('not_found'))
