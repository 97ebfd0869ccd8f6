import { Hono } from 'hono/tiny'
import type { AppEnv } from '../env'
import { currentUser } from '../session/middleware'
import { IndexPage } from '../views/index-page'
import { pageMessages } from '../views/messages'

export const pageRoutes = new Hono<AppEnv>().get('/', async (c) => {
  if (await currentUser(c)) return c.redirect('/home', 302)
  return c.html(<IndexPage {...pageMessages(c.req.query())} />)
})
