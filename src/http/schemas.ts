import * as v from 'valibot'
import { canonicalEmail } from '../auth/email'
import { LIMITS as L } from './limits'

// No messages here: readInput answers with the text of the failing field's code (src/messages.ts),
// never with the validator's own words.

const codePoints = (s: string) => [...s].length
/** Text MariaDB can store as it is: utf8mb4 has no room for a lone surrogate (\p{Cs} under /u). */
const text = () =>
  v.pipe(
    v.string(),
    v.check((s) => !/\p{Cs}/u.test(s))
  )
const lengthBetween = (min: number, max: number) =>
  v.check((s: string) => codePoints(s) >= min && codePoints(s) <= max)

/** Spaces, zero-width and other invisible characters, controls, combining marks, braille blank. */
const INVISIBLE_ONLY =
  /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Mn}\p{Me}\u2800]*$/u

/** Text with something to see: not only spaces or invisible characters. */
const visible = () => v.check((s: string) => !INVISIBLE_ONLY.test(s))

const email = v.pipe(text(), v.transform(canonicalEmail), v.maxLength(L.emailMax))

const password = v.pipe(text(), lengthBetween(L.passwordMin, L.passwordMax))

/** Idempotency-Key header or hidden form field: visible ASCII, as the IETF draft's examples. */
export const IdempotencyKey = v.pipe(
  v.string(),
  v.regex(/^[\x21-\x7e]+$/),
  v.maxLength(L.idempotencyKeyMax)
)

export const RegisterInput = v.object({
  user_name: v.pipe(text(), v.trim(), lengthBetween(1, L.nameMax), visible()),
  user_email: v.pipe(email, v.email()),
  user_password: password,
  idempotency_key: v.optional(IdempotencyKey),
})

// Login never explains which rule failed: anything but a match is "wrong email or password".
export const LoginInput = v.object({
  user_email: email,
  user_password: v.pipe(v.string(), v.maxLength(L.passwordAttemptMax)),
})

/** Kept as written (a trailing space is part of the status), but not invisible only. */
export const StatusInput = v.object({
  status: v.pipe(text(), lengthBetween(1, L.statusMax), visible()),
  idempotency_key: v.optional(IdempotencyKey),
})

export const PasswordChangeInput = v.object({
  current_password: v.pipe(v.string(), v.maxLength(L.passwordAttemptMax)),
  new_password: password,
})

export const RevokeInput = v.object({
  session: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/)),
})

const cursor = v.optional(v.pipe(v.string(), v.regex(/^\d{1,20}$/)))

/** A page of statuses: `cursor` the next older page (before that id), `after` the next newer one. */
export const StatusPageQuery = v.pipe(
  v.object({
    limit: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^\d{1,3}$/),
        v.transform(Number),
        v.minValue(1),
        v.maxValue(L.pageSizeMax)
      ),
      String(L.pageSizeDefault)
    ),
    cursor,
    after: cursor,
  }),
  v.check((query) => query.cursor === undefined || query.after === undefined)
)
