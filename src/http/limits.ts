/** Input limits. The schemas, the forms' attributes and the messages all read them from here. */
export const LIMITS = {
  nameMax: 100,
  emailMax: 254,
  passwordMin: 15,
  passwordMax: 128,
  /** A login attempt may be longer than any stored password; it simply fails. */
  passwordAttemptMax: 1024,
  statusMax: 1000,
  idempotencyKeyMax: 128,
  pageSizeMax: 100,
  pageSizeDefault: 50,
  bodyBytes: 16 * 1024,
} as const
