import type { JSX } from 'hono/jsx'

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

// The browser checks the same limits as the server (src/http/schemas.ts).
export const EMAIL = { type: 'email', required: true, maxlength: 254 } as const
export const CURRENT_PASSWORD = {
  type: 'password',
  autocomplete: 'current-password',
  required: true,
  maxlength: 1024,
} as const
export const NEW_PASSWORD = {
  type: 'password',
  autocomplete: 'new-password',
  required: true,
  minlength: 15,
  maxlength: 128,
} as const
