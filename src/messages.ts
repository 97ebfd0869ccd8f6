import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { LIMITS as L } from './http/limits'

/**
 * Every error a client can see, by code, with its HTTP status: JSON answers carry the text, and a
 * browser's refused form is shown again with it. Numbers come from LIMITS as they are (no locale
 * formatting at start-up).
 */
export const ERRORS = {
  invalid_user_name: { status: 422, text: `Enter a name of 1 to ${L.nameMax} characters.` },
  invalid_user_email: {
    status: 422,
    text: `Enter a valid email address (at most ${L.emailMax} characters).`,
  },
  invalid_user_password: {
    status: 422,
    text: `Choose a password of ${L.passwordMin} to ${L.passwordMax} characters.`,
  },
  invalid_login_input: { status: 422, text: 'Enter your email and password.' },
  invalid_login: { status: 401, text: 'Wrong email or password.' },
  email_taken: { status: 409, text: 'An account with this email already exists. Log in instead.' },
  throttled: { status: 429, text: 'Too many attempts. Please wait a few minutes and try again.' },
  invalid_status: {
    status: 422,
    text: `Write a status of 1 to ${L.statusMax} characters (not only spaces).`,
  },
  invalid_query: {
    status: 400,
    text: `The page asked for is invalid: limit must be 1 to ${L.pageSizeMax}, cursor or after (not both) a status id.`,
  },
  invalid_idempotency_key: {
    status: 422,
    text: `An idempotency key has 1 to ${L.idempotencyKeyMax} visible ASCII characters.`,
  },
  idempotency_key_reused: {
    status: 422,
    text: 'This idempotency key was already used for a different request.',
  },
  invalid_current_password: { status: 422, text: 'Enter your current password.' },
  invalid_new_password: {
    status: 422,
    text: `Choose a new password of ${L.passwordMin} to ${L.passwordMax} characters.`,
  },
  wrong_password: { status: 403, text: 'Your current password is not correct.' },
  invalid_session: { status: 422, text: 'That session no longer exists.' },
  session_not_found: { status: 404, text: 'That session no longer exists.' },
  not_logged_in: { status: 401, text: 'Please log in first.' },
  invalid_input: { status: 422, text: 'The input is invalid.' },
  malformed_json: { status: 400, text: 'The request body is not a valid JSON object.' },
  malformed_form: { status: 400, text: 'The form data could not be read.' },
  unsupported_media_type: { status: 415, text: 'Send application/json or a form.' },
  payload_too_large: {
    status: 413,
    text: `The request body is too large (at most ${L.bodyBytes / 1024} KiB).`,
  },
  cross_site: { status: 403, text: 'Requests from other sites that change data are not accepted.' },
  not_found: { status: 404, text: 'There is nothing here.' },
  /** A Hono HTTPException: its own status. */
  http_error: { status: 400, text: 'The request was rejected.' },
  backend_unavailable: {
    status: 503,
    text: 'The service is briefly unavailable. Please try again in a few seconds.',
  },
  overloaded: {
    status: 503,
    text: 'Too many log-ins at once right now. Please try again in a moment.',
  },
  invalid_environment: { status: 500, text: 'The service is misconfigured.' },
  internal: { status: 500, text: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: ContentfulStatusCode; text: string }>

export type ErrorCode = keyof typeof ERRORS

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERRORS, code)

/** Confirmations shown after a redirect; the query carries only the code. */
export const NOTICES = {
  registered: 'Welcome! Your account is ready and you are logged in.',
  logged_out: 'You are logged out.',
  posted: 'Status posted.',
  revoked: 'That session has been logged out.',
  everywhere: 'You are logged out on every device.',
  password_changed: 'Password changed. Your other sessions have been logged out.',
} as const satisfies Record<string, string>

/** The text for `?notice=`; unknown codes, and names of Object.prototype, show nothing. */
export function pageMessages(query: { notice?: string }): { notice?: string | undefined } {
  const code = query.notice
  return {
    notice:
      code !== undefined && Object.hasOwn(NOTICES, code)
        ? NOTICES[code as keyof typeof NOTICES]
        : undefined,
  }
}
