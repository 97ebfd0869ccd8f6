import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import type { ReadWrite } from '../backends/handles'
import type { Db } from '../backends/planetscale'
import { DuplicateKeyError } from '../db/sql'
import { findStatusByKey, insertStatus, listStatuses, type StatusPage } from '../db/statuses'
import { AppError } from '../errors'
import { newApp } from '../http/app'
import { idempotencyKey, readInput, readQuery } from '../http/input'
import { LIMITS } from '../http/limits'
import { seeOther, wantsHtml } from '../http/negotiate'
import { StatusInput, StatusPageQuery } from '../http/schemas'
import { pageMessages } from '../messages'
import { type FormFailure, renderFormErrors } from '../middleware/form-errors'
import { notLoggedIn, requireUser } from '../middleware/require-user'
import { readWhileCheckingSession } from '../session/access'
import { HomePage } from '../views/home-page'

/** Links to the pages beside this one, keeping a page size that is not the default. */
function pageLinks(page: StatusPage, limit: number) {
  const keepLimit = limit === LIMITS.pageSizeDefault ? '' : `limit=${limit}&`
  const { olderCursor, newerCursor } = page
  return {
    olderHref: olderCursor && `/home?${keepLimit}cursor=${olderCursor}`,
    newerHref: newerCursor && `/home?${keepLimit}after=${newerCursor}`,
  }
}

/**
 * The logged-in user's statuses, the page the query asks for (?limit, and ?cursor for older or
 * ?after for newer), queried while the session is checked; null when nobody is logged in.
 */
async function statusPage(c: Context<AppEnv>) {
  const { limit, cursor, after } = readQuery(c, StatusPageQuery, 'invalid_query')
  const db = c.get('db').nearby
  const found = await readWhileCheckingSession<StatusPage>(c, (userId) =>
    listStatuses(db, userId, { before: cursor, after, limit })
  )
  if (!found) return null
  return { ...found, ...pageLinks(found.result, limit) }
}

/** /home again after a refused post: the newest statuses, and the form as it was sent. */
async function homeWithFailedPost(c: Context<AppEnv>, failure: FormFailure) {
  const user = c.get('user')
  const limit = LIMITS.pageSizeDefault
  const page = await listStatuses(c.get('db').nearby, user.id, { limit })
  return c.html(
    <HomePage user={user} statuses={page.statuses} {...pageLinks(page, limit)} post={failure} />,
    failure.status
  )
}

/**
 * Stores a status once per idempotency key: a retry whose first answer was lost gets the first
 * status's id, and only such a retry costs a second statement. The key with other text is refused.
 */
async function postOnce(db: ReadWrite<Db>, userId: string, text: string, key?: string) {
  try {
    return await insertStatus(db.write, userId, text, key)
  } catch (error) {
    if (!(error instanceof DuplicateKeyError) || key === undefined) throw error
    const earlier = await findStatusByKey(db.read, userId, key)
    if (!earlier) throw error
    if (earlier.text !== text) throw new AppError('idempotency_key_reused')
    return earlier.id
  }
}

export const statusRoutes = newApp()
  .get('/home', async (c) => {
    const found = await statusPage(c)
    if (!found) return notLoggedIn(c, true)
    return c.html(
      <HomePage
        user={found.user}
        statuses={found.result.statuses}
        olderHref={found.olderHref}
        newerHref={found.newerHref}
        {...pageMessages(c.req.query())}
      />
    )
  })
  .post('/addStatus', requireUser, renderFormErrors(homeWithFailedPost), async (c) => {
    const input = await readInput(c, StatusInput)
    const key = idempotencyKey(c, input.idempotency_key)
    const id = await postOnce(c.get('db'), c.get('user').id, input.status, key)
    if (wantsHtml(c)) return seeOther(c, '/home?notice=posted')
    return c.json({ error: false, message: 'Status is added.', id }, 201)
  })
  .get('/fetchStatus', async (c) => {
    const found = await statusPage(c)
    if (!found) return notLoggedIn(c)
    return c.json({
      error: false,
      message: found.result.statuses.map((status) => ({
        id: status.id,
        user_status: status.text,
        created_date: status.createdAt,
      })),
      next_cursor: found.result.olderCursor,
    })
  })
