import { Hono } from 'hono/tiny'
import { STYLESHEET } from '../views/styles'

export const staticRoutes = new Hono().get('/app.css', (c) => {
  c.header('Cache-Control', 'public, max-age=3600')
  return c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8' })
})
