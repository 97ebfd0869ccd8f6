import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import * as v from 'valibot'
import { insertStatus, listStatuses } from '../db/statuses'
import type { AppEnv } from '../env'
import { AppError } from '../errors'
import { redirectFormErrors } from '../http/form-errors'
import { readInput } from '../http/input'
import { seeOther, wantsHtml } from '../http/negotiate'
import { StatusInput, StatusPageQuery } from '../http/schemas'
import { requireUser } from '../middleware/require-user'
import type { SessionUser } from '../session/store'
import { HomePage } from '../views/home-page'
import { pageMessages } from '../views/messages'

/** The logged-in user's statuses, the page the query asks for (?limit, ?cursor). */
async function statusPage(c: Context<AppEnv & { Variables: { user: SessionUser } }>) {
  const result = v.safeParse(StatusPageQuery, c.req.query())
  if (!result.success) {
    throw new AppError(400, 'invalid_query', result.issues[0]?.message ?? 'Invalid query.')
  }
  const { limit, cursor } = result.output
  return listStatuses(c.var.db, c.var.user.id, { before: cursor, limit })
}

export const statusRoutes = new Hono<AppEnv>()
  .get('/home', requireUser, async (c) => {
    const page = await statusPage(c)
    return c.html(<HomePage user={c.var.user} {...page} {...pageMessages(c.req.query())} />)
  })
  .post('/addStatus', requireUser, redirectFormErrors('/home'), async (c) => {
    const input = await readInput(c, StatusInput)
    const id = await insertStatus(c.var.db, c.var.user.id, input.status)
    if (wantsHtml(c)) return seeOther(c, '/home?notice=posted')
    return c.json({ error: false, message: 'Status is added.', id }, 201)
  })
  .get('/fetchStatus', requireUser, async (c) => {
    const page = await statusPage(c)
    return c.json({
      error: false,
      message: page.statuses.map((status) => ({
        id: status.id,
        user_status: status.text,
        created_date: status.createdAt,
      })),
      next_cursor: page.nextCursor,
    })
  })
