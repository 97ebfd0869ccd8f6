import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from './env'
import { wantsHtml } from './http/negotiate'
import { log } from './middleware/log'
import { ErrorPage } from './views/error-page'

/** An expected failure with a status, a stable code and a message safe to show to the user. */
export class AppError extends Error {
  readonly status: ContentfulStatusCode
  readonly code: string
  readonly retryAfter: number | undefined

  constructor(status: ContentfulStatusCode, code: string, message: string, retryAfter?: number) {
    super(message)
    this.status = status
    this.code = code
    this.retryAfter = retryAfter
  }
}

export const backendUnavailable = () =>
  new AppError(
    503,
    'backend_unavailable',
    'The service is briefly unavailable. Please try again in a few seconds.',
    5
  )

const BACKEND_ERROR_NAMES = new Set([
  'BackendUnavailable',
  'UpstashError',
  'UpstashJSONParseError',
  'DatabaseError',
  'UnknownError',
  'TimeoutError',
  'AbortError',
])

/** Failures of Upstash or PlanetScale (error replies, timeouts, network errors): 503, not 500. */
const isBackendFailure = (error: Error) => BACKEND_ERROR_NAMES.has(error.name)

const HTTP_MESSAGES: Record<number, [string, string]> = {
  403: ['forbidden', 'Cross-site form posts are not accepted.'],
  413: ['payload_too_large', 'The request body is too large.'],
}

function toAppError(error: Error): AppError | undefined {
  if (error instanceof AppError) return error
  if (error instanceof HTTPException) {
    const [code, message] = HTTP_MESSAGES[error.status] ?? [
      'http_error',
      'The request was rejected.',
    ]
    return new AppError(error.status as ContentfulStatusCode, code, message)
  }
  if (isBackendFailure(error)) return backendUnavailable()
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
    if (known.status >= 500) log(c, 'warn', { event: 'backend_failure', error: String(error) })
    return respondWithError(c, known)
  }
  log(c, 'error', { event: 'unhandled', error: String(error), stack: error.stack })
  return respondWithError(c, new AppError(500, 'internal', 'Something went wrong on our side.'))
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  respondWithError(c, new AppError(404, 'not_found', 'There is nothing here.'))
