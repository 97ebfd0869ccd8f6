import { newApp } from '../http/app'
import { pageMessages } from '../messages'
import { currentUser } from '../session/access'
import { IndexPage } from '../views/index-page'

export const pageRoutes = newApp().get('/', async (c) => {
  if (await currentUser(c)) return c.redirect('/home', 302)
  return c.html(<IndexPage formKey={crypto.randomUUID()} {...pageMessages(c.req.query())} />)
})
