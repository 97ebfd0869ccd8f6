import { bodyLimit } from 'hono/body-limit'
import { AppError, notFound, onError } from './errors'
import { newApp } from './http/app'
import { LIMITS } from './http/limits'
import { csrfGuard } from './middleware/csrf-guard'
import { requestIds, responseHeaders } from './middleware/headers'
import { services } from './middleware/services'
import { accountRoutes } from './routes/account'
import { authRoutes } from './routes/auth'
import { livenessRoutes, readinessRoutes } from './routes/health'
import { logoutRoutes } from './routes/logout'
import { pageRoutes } from './routes/pages'
import { statusRoutes } from './routes/statuses'
import { sessions } from './session/middleware'

const app = newApp()

app.use(requestIds)
app.use(responseHeaders)
// Routes above the session middleware never touch Redis for the session.
app.route('/', livenessRoutes)
// Only methods that change data carry a body or can be forged cross-site: reads skip both.
app.on(
  ['POST', 'PUT', 'PATCH', 'DELETE'],
  '*',
  csrfGuard,
  bodyLimit({
    maxSize: LIMITS.bodyBytes,
    onError: () => {
      throw new AppError('payload_too_large')
    },
  })
)
app.use(services)
app.route('/', readinessRoutes)
// The session is read only where a route asks for it: login and logout never do (budgets).
app.use(sessions)
app.route('/', authRoutes)
app.route('/', logoutRoutes)
app.route('/', pageRoutes)
app.route('/', statusRoutes)
app.route('/', accountRoutes)

app.onError(onError)
app.notFound(notFound)

export default app
