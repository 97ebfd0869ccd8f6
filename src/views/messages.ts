/**
 * Messages shown after a redirect (Post/Redirect/Get). The query string carries only a code, never
 * text, so nobody can make the page display words of their choosing.
 */
const NOTICES: Record<string, string> = {
  registered: 'Your account is ready. Log in below.',
  logged_out: 'You are logged out.',
  posted: 'Status posted.',
  revoked: 'That session has been logged out.',
  everywhere: 'You are logged out on every device.',
  password_changed: 'Password changed. Your other sessions have been logged out.',
}

const ERRORS: Record<string, string> = {
  invalid_login: 'Wrong email or password.',
  email_taken: 'An account with this email already exists. Log in instead.',
  throttled: 'Too many attempts. Please wait a few minutes and try again.',
  invalid_user_name: 'Enter a name of 1 to 100 characters.',
  invalid_user_email: 'Enter a valid email address (at most 254 characters).',
  invalid_user_password: 'Choose a password of 15 to 128 characters.',
  invalid_status: 'A status needs 1 to 1,000 characters.',
  invalid_current_password: 'Your current password is not correct.',
  invalid_new_password: 'Choose a new password of 15 to 128 characters.',
  wrong_password: 'Your current password is not correct.',
  invalid_session: 'That session no longer exists.',
}

export interface PageMessages {
  notice?: string | undefined
  error?: string | undefined
}

export function pageMessages(query: {
  notice?: string | undefined
  error?: string | undefined
}): PageMessages {
  return {
    notice: query.notice ? NOTICES[query.notice] : undefined,
    error: query.error
      ? (ERRORS[query.error] ?? 'That did not work. Please try again.')
      : undefined,
  }
}
