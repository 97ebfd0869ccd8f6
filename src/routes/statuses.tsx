import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import * as v from 'valibot'
import { insertStatus, listStatuses, type StatusPage } from '../db/statuses'
import type { AppEnv } from '../env'
import { AppError } from '../errors'
import { redirectFormErrors } from '../http/form-errors'
import { readInput } from '../http/input'
import { seeOther, wantsHtml } from '../http/negotiate'
import { StatusInput, StatusPageQuery } from '../http/schemas'
import { notLoggedIn, requireUser } from '../middleware/require-user'
import { readWhileCheckingSession } from '../session/middleware'
import { HomePage } from '../views/home-page'
import { pageMessages } from '../views/messages'

/**
 * The logged-in user's statuses, the page the query asks for (?limit, ?cursor), queried while the
 * session is checked. Responds for the caller when nobody is logged in.
 */
async function statusPage(c: Context<AppEnv>) {
  const result = v.safeParse(StatusPageQuery, c.req.query())
  if (!result.success) {
    throw new AppError(400, 'invalid_query', result.issues[0]?.message ?? 'Invalid query.')
  }
  const { limit, cursor } = result.output
  const db = c.get('db').read
  return readWhileCheckingSession<StatusPage>(c, (userId) =>
    listStatuses(db, userId, { before: cursor, limit })
  )
}

export const statusRoutes = new Hono<AppEnv>()
  .get('/home', async (c) => {
    const found = await statusPage(c)
    if (!found) return notLoggedIn(c)
    return c.html(<HomePage user={found.user} {...found.result} {...pageMessages(c.req.query())} />)
  })
  .post('/addStatus', requireUser, redirectFormErrors('/home'), async (c) => {
    const input = await readInput(c, StatusInput)
    const id = await insertStatus(c.get('db').write, c.get('user').id, input.status)
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
      next_cursor: found.result.nextCursor,
    })
  })
