import type { Context } from 'hono'
import * as v from 'valibot'
import { AppError } from '../errors'
import { type ErrorCode, isErrorCode } from '../messages'
import { IdempotencyKey } from './schemas'

const JSON_TYPE = /^application\/json\b/i
const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i

/** Reads a JSON or form body into a flat record; malformed → 400, other types → 415. */
async function readFields(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? ''
  if (JSON_TYPE.test(type)) {
    let body: unknown
    try {
      body = JSON.parse(await c.req.text())
    } catch {
      throw new AppError('malformed_json')
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new AppError('malformed_json')
    }
    return body as Record<string, unknown>
  }
  if (FORM_TYPE.test(type)) {
    try {
      return await c.req.parseBody()
    } catch {
      throw new AppError('malformed_form')
    }
  }
  throw new AppError('unsupported_media_type')
}

/** `invalid_<field>` for the first failing field: its text is in src/messages.ts. */
function codeOf(issues: v.BaseIssue<unknown>[]): ErrorCode {
  const [issue] = issues
  const code = `invalid_${issue ? (v.getDotPath(issue) ?? '') : ''}`
  return isErrorCode(code) ? code : 'invalid_input'
}

/** Reads and validates the body (422 with the app's message, or `code` for every failure). */
export async function readInput<S extends v.GenericSchema>(
  c: Context,
  schema: S,
  code?: ErrorCode
): Promise<v.InferOutput<S>> {
  const result = v.safeParse(schema, await readFields(c))
  if (result.success) return result.output
  throw new AppError(code ?? codeOf(result.issues))
}

// What each query schema makes of no query at all: the common case, validated once.
const withoutQuery = new WeakMap<v.GenericSchema, unknown>()

/** Validates a query string against `schema`; 400 `code` when it does not fit. */
export function readQuery<S extends v.GenericSchema>(
  c: Context,
  schema: S,
  code: ErrorCode
): v.InferOutput<S> {
  const bare = !c.req.url.includes('?')
  if (bare && withoutQuery.has(schema)) return withoutQuery.get(schema) as v.InferOutput<S>
  const result = v.safeParse(schema, c.req.query())
  if (!result.success) throw new AppError(code)
  if (bare) withoutQuery.set(schema, result.output)
  return result.output
}

/**
 * The key that makes a retried post safe: the Idempotency-Key header (API clients; the IETF
 * draft sends it as a quoted string, plain is accepted too) or the form's hidden field.
 */
export function idempotencyKey(c: Context, fromBody: string | undefined): string | undefined {
  const header = c.req.header('idempotency-key')
  if (header === undefined) return fromBody
  const result = v.safeParse(IdempotencyKey, header.replace(/^"(.*)"$/, '$1'))
  if (!result.success) throw new AppError('invalid_idempotency_key')
  return result.output
}
