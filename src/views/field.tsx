import type { JSX } from 'hono/jsx'
import { LIMITS } from '../http/limits'

type InputProps = JSX.IntrinsicElements['input']

export interface FieldProps extends InputProps {
  id: string
  label: string
  hint?: string
}

/** A labelled input, with its hint tied to it for screen readers. */
export function Field({ id, label, hint, ...input }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined
  return (
    <>
      <label for={id}>{label}</label>
      <input id={id} aria-describedby={hintId} {...input} />
      {hint && (
        <p id={hintId} class="hint">
          {hint}
        </p>
      )}
    </>
  )
}

/** The key that makes a resubmitted form (reload after an error) a retry, not a second post. */
export const FormKey = ({ value }: { value: string }) => (
  <input type="hidden" name="idempotency_key" value={value} />
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
export const STATUS = { required: true, maxlength: LIMITS.statusMax } as const
