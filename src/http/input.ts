import type { Context } from 'hono'
import * as v from 'valibot'
import { AppError } from '../errors'

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
      throw new AppError(400, 'malformed_json', 'The request body is not valid JSON.')
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new AppError(400, 'malformed_json', 'The request body must be a JSON object.')
    }
    return body as Record<string, unknown>
  }
  if (FORM_TYPE.test(type)) {
    try {
      return await c.req.parseBody()
    } catch {
      throw new AppError(400, 'malformed_form', 'The form data could not be read.')
    }
  }
  throw new AppError(415, 'unsupported_media_type', 'Send application/json or a form.')
}

/** Reads and validates the body; the first failing field's message is what the user sees (422). */
export async function readInput<S extends v.GenericSchema>(
  c: Context,
  schema: S
): Promise<v.InferOutput<S>> {
  const result = v.safeParse(schema, await readFields(c))
  if (result.success) return result.output
  const [issue] = result.issues
  const field = issue ? (v.getDotPath(issue) ?? 'input') : 'input'
  throw new AppError(422, `invalid_${field}`, issue?.message ?? 'The input is invalid.')
}
