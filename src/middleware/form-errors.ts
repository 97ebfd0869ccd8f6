import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import * as v from 'valibot'
import type { AppEnv } from '../app-env'
import { AppError } from '../errors'
import { wantsHtml } from '../http/negotiate'
import { IdempotencyKey } from '../http/schemas'
import type { ErrorCode } from '../messages'

/** A browser's form that the server refused, as its page shows it again. */
export interface FormFailure {
  status: ContentfulStatusCode
  message: string
  /** The name of the field the error is about; undefined when it is about the whole form. */
  field: string | undefined
  /** What was typed, by field name: never a password. */
  values: Record<string, string>
  /** The idempotency key the form gets again (see formKey below). */
  key: string
}

/** Errors about one field that their code does not name (`invalid_<field>` does). */
const FIELD_OF: Partial<Record<ErrorCode, string>> = {
  invalid_login: 'user_password',
  invalid_login_input: 'user_email',
  email_taken: 'user_email',
  wrong_password: 'current_password',
}

const fieldOf = (code: ErrorCode) =>
  FIELD_OF[code] ?? (code.startsWith('invalid_') ? code.slice('invalid_'.length) : undefined)

/** The form's fields as typed, passwords and files left out; nothing when the body is unreadable. */
async function typedValues(c: Context<AppEnv>): Promise<Record<string, string>> {
  // Hono keeps the parsed form: this reads what the route read, and fails as it failed.
  const body = await c.req.parseBody().catch(() => ({}))
  const values: Record<string, string> = {}
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'string' && !name.includes('password')) values[name] = value
  }
  return values
}

/**
 * The key the form is shown with again. A refused request stored nothing under the key it sent,
 * so the form keeps it: sent again unchanged, it is still one request. Only a key already used
 * for other data (or not a valid key) is replaced, or the form could never be sent.
 */
function formKey(code: ErrorCode, sent: string | undefined): string {
  const usable = code !== 'idempotency_key_reused' && v.is(IdempotencyKey, sent)
  return usable ? sent : crypto.randomUUID()
}

/**
 * A browser's refused form: its page again, with the error's status, the error next to the form
 * and what was typed (never passwords). Not Post/Redirect/Get: the values would have to travel in
 * the URL, and an email in a URL ends up in logs and history. API clients keep onError's JSON;
 * a lost session goes to onError's page too (there is no form to show it).
 */
export const renderFormErrors = (
  render: (c: Context<AppEnv>, failure: FormFailure) => Response | Promise<Response>
) =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next()
    const error = c.error
    if (!(error instanceof AppError) || error.status >= 500 || error.code === 'not_logged_in')
      return
    if (!wantsHtml(c)) return
    const values = await typedValues(c)
    // Setting c.res keeps the headers of onError's answer (Retry-After).
    c.res = await render(c, {
      status: error.status,
      message: error.message,
      field: fieldOf(error.code),
      values,
      key: formKey(error.code, values.idempotency_key),
    })
  })
