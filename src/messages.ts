import { LIMITS as L } from './http/limits'

const n = (value: number) => value.toLocaleString('en-US')

/**
 * Every error a client can see, by code: JSON answers carry the text, and a browser sent back to a
 * form (Post/Redirect/Get) gets only the code in the query, which the page turns into this text.
 */
export const ERRORS = {
  invalid_user_name: `Enter a name of 1 to ${n(L.nameMax)} characters.`,
  invalid_user_email: `Enter a valid email address (at most ${n(L.emailMax)} characters).`,
  invalid_user_password: `Choose a password of ${n(L.passwordMin)} to ${n(L.passwordMax)} characters.`,
  invalid_login_input: 'Enter your email and password.',
  invalid_login: 'Wrong email or password.',
  email_taken: 'An account with this email already exists. Log in instead.',
  throttled: 'Too many attempts. Please wait a few minutes and try again.',
  invalid_status: `Write a status of 1 to ${n(L.statusMax)} characters (not only spaces).`,
  invalid_query: `The page asked for is invalid: limit must be 1 to ${n(L.pageSizeMax)}, cursor a status id.`,
  invalid_idempotency_key: `An idempotency key has 1 to ${n(L.idempotencyKeyMax)} visible ASCII characters.`,
  idempotency_key_reused: 'This idempotency key was already used for a different request.',
  invalid_current_password: 'Enter your current password.',
  invalid_new_password: `Choose a new password of ${n(L.passwordMin)} to ${n(L.passwordMax)} characters.`,
  wrong_password: 'Your current password is not correct.',
  invalid_session: 'That session no longer exists.',
  not_logged_in: 'Please log in first.',
  invalid_input: 'The input is invalid.',
  malformed_json: 'The request body is not a valid JSON object.',
  malformed_form: 'The form data could not be read.',
  unsupported_media_type: 'Send application/json or a form.',
  payload_too_large: `The request body is too large (at most ${n(L.bodyBytes / 1024)} KiB).`,
  cross_site: 'Requests from other sites that change data are not accepted.',
  not_found: 'There is nothing here.',
  http_error: 'The request was rejected.',
  backend_unavailable: 'The service is briefly unavailable. Please try again in a few seconds.',
  invalid_environment: 'The service is misconfigured.',
  internal: 'Something went wrong on our side.',
} as const satisfies Record<string, string>

export type ErrorCode = keyof typeof ERRORS

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERRORS, code)

/** Confirmations shown after a redirect; the query carries only the code. */
export const NOTICES = {
  registered: 'Your account is ready. Log in below.',
  logged_out: 'You are logged out.',
  posted: 'Status posted.',
  revoked: 'That session has been logged out.',
  everywhere: 'You are logged out on every device.',
  password_changed: 'Password changed. Your other sessions have been logged out.',
} as const satisfies Record<string, string>

/** Own properties only: `?error=toString` or `?notice=__proto__` name nothing. */
const lookup = (table: Record<string, string>, code: string | undefined) =>
  code !== undefined && Object.hasOwn(table, code) ? table[code] : undefined

export interface PageMessages {
  notice?: string | undefined
  error?: string | undefined
}

/** The texts for `?notice=` and `?error=`; unknown codes show nothing. */
export function pageMessages(query: { notice?: string; error?: string }): PageMessages {
  return { notice: lookup(NOTICES, query.notice), error: lookup(ERRORS, query.error) }
}
