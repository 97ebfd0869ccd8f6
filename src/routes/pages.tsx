import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import { newApp } from '../http/app'
import { pageMessages } from '../messages'
import type { FormFailure } from '../middleware/form-errors'
import { currentUser } from '../session/access'
import { IndexPage } from '../views/index-page'

/** The start page again after a refused log-in or sign-up, that form as it was sent. */
export const startPageWith =
  (form: 'login' | 'signup') => (c: Context<AppEnv>, failure: FormFailure) =>
    c.html(
      <IndexPage
        login={form === 'login' ? failure : undefined}
        signup={form === 'signup' ? failure : undefined}
      />,
      failure.status
    )

export const pageRoutes = newApp().get('/', async (c) => {
  if (await currentUser(c)) return c.redirect('/home', 302)
  return c.html(<IndexPage {...pageMessages(c.req.query())} />)
})
