import * as v from 'valibot'

const codePoints = (s: string) => [...s].length

const email = (message: string) =>
  v.pipe(
    v.string(message),
    v.trim(),
    v.toLowerCase(),
    v.maxLength(254, 'The email address is too long (at most 254 characters).'),
    v.email(message)
  )

export const RegisterInput = v.object({
  user_name: v.pipe(
    v.string('Enter your name.'),
    v.trim(),
    v.check((s) => codePoints(s) >= 1, 'Enter your name.'),
    v.check((s) => codePoints(s) <= 100, 'The name is too long (at most 100 characters).')
  ),
  user_email: email('Enter a valid email address.'),
  user_password: v.pipe(
    v.string('Choose a password.'),
    v.check((s) => codePoints(s) >= 15, 'The password needs at least 15 characters.'),
    v.check((s) => codePoints(s) <= 128, 'The password can have at most 128 characters.')
  ),
})

// Login never explains which rule failed: anything but a match is "wrong email or password".
export const LoginInput = v.object({
  user_email: v.pipe(
    v.string('Enter your email and password.'),
    v.trim(),
    v.toLowerCase(),
    v.maxLength(254)
  ),
  user_password: v.pipe(v.string('Enter your email and password.'), v.maxLength(1024)),
})

export const StatusInput = v.object({
  status: v.pipe(
    v.string('Write something first.'),
    v.trim(),
    v.check((s) => codePoints(s) >= 1, 'Write something first.'),
    v.check((s) => codePoints(s) <= 1000, 'A status can have at most 1,000 characters.')
  ),
})

export const PasswordChangeInput = v.object({
  current_password: v.pipe(v.string('Enter your current password.'), v.maxLength(1024)),
  new_password: RegisterInput.entries.user_password,
})

export const RevokeInput = v.object({
  session: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/, 'Unknown session.')),
})

export const StatusPageQuery = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, 'limit must be 1 to 100'),
      v.transform(Number),
      v.minValue(1, 'limit must be 1 to 100'),
      v.maxValue(100, 'limit must be 1 to 100')
    ),
    '50'
  ),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^\d{1,20}$/, 'cursor must be a status id'))),
})
