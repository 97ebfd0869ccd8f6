import type { JSX } from 'hono/jsx'
import { LIMITS } from '../http/limits'
import type { FormFailure } from '../middleware/form-errors'

type InputProps = JSX.IntrinsicElements['input']

/**
 * Where a refused form shows its error: by the field it is about (that field marked invalid and
 * focused), else at the top of the form (focused). `fields` are the names of the form's fields.
 */
export function formErrors(failure: FormFailure | undefined, fields: readonly string[]) {
  const field =
    failure?.field !== undefined && fields.includes(failure.field) ? failure.field : null
  return {
    /** The message for the whole form, if it is not about one of its fields. */
    form: failure && field === null ? failure.message : undefined,
    /** The message for this field, if it is about it. */
    of: (name: string) => (failure && name === field ? failure.message : undefined),
    /** What was typed in this field. */
    value: (name: string) => failure?.values[name],
  }
}

/** The attributes that tie a control to its hint and error, and focus it when it is invalid. */
export function describedBy(id: string, hint: boolean, error: string | undefined) {
  const ids = [error && `${id}-error`, hint && `${id}-hint`].filter(Boolean).join(' ')
  return {
    'aria-describedby': ids || undefined,
    'aria-invalid': error ? ('true' as const) : undefined,
    autofocus: error ? true : undefined,
  }
}

/** The error about one field, between its label and the field. */
export const FieldError = ({ id, error }: { id: string; error: string | undefined }) =>
  error ? (
    <p id={`${id}-error`} class="field-error">
      {error}
    </p>
  ) : null

/** The error about a whole form, at its top: focused, so that it is read first. */
export const FormError = ({ id, error }: { id: string; error: string | undefined }) =>
  error ? (
    <p id={id} class="message error" role="alert" tabindex={-1} autofocus>
      {error}
    </p>
  ) : null

export interface FieldProps extends InputProps {
  id: string
  name: string
  label: string
  hint?: string
  /** The form's errors (formErrors): this field's error, and what was typed in it. */
  errors: ReturnType<typeof formErrors>
}

/** A labelled input, with its hint and error tied to it for screen readers. */
export function Field({ id, label, hint, errors, ...input }: FieldProps) {
  const error = errors.of(input.name)
  // Passwords are never shown again (they are not among the values either).
  const value = input.type === 'password' ? undefined : errors.value(input.name)
  return (
    <>
      <label for={id}>{label}</label>
      <FieldError id={id} error={error} />
      <input id={id} value={value} {...describedBy(id, hint !== undefined, error)} {...input} />
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
    </>
  )
}

/**
 * The key that makes a resubmitted form a retry, not a second post: a fresh one, or the one a
 * refused form was sent with (see middleware/form-errors.ts).
 */
export const FormKey = ({ value }: { value?: string | undefined }) => (
  <input type="hidden" name="idempotency_key" value={value ?? crypto.randomUUID()} />
)

// The browser checks the same limits as the server.
export const NAME = { required: true, maxlength: LIMITS.nameMax } as const
export const EMAIL = { type: 'email', required: true, maxlength: LIMITS.emailMax } as const
export const CURRENT_PASSWORD = {
  type: 'password',
  autocomplete: 'current-password',
  required: true,
  maxlength: LIMITS.passwordAttemptMax,
} as const
export const NEW_PASSWORD = {
  type: 'password',
  autocomplete: 'new-password',
  required: true,
  minlength: LIMITS.passwordMin,
  maxlength: LIMITS.passwordMax,
} as const
export const NEW_PASSWORD_HINT = `At least ${LIMITS.passwordMin} characters. A few unrelated words make a good one.`
export const STATUS = { required: true, maxlength: LIMITS.statusMax } as const
