import { Hono } from 'hono/tiny'
import type { AppEnv } from '../env'
import { IndexPage } from '../views/index-page'
import { pageMessages } from '../views/messages'

export const pageRoutes = new Hono<AppEnv>().get('/', (c) => {
  if (c.var.user) return c.redirect('/home', 302)
  return c.html(<IndexPage {...pageMessages(c.req.query())} />)
})
