import type { PageMessages } from '../messages'
import type { ActiveSession, SessionUser } from '../session/sessions'
import { CURRENT_PASSWORD, Field, NEW_PASSWORD } from './field'
import { Layout, Notice } from './layout'

export interface AccountPageProps extends PageMessages {
  user: SessionUser
  sessions: ActiveSession[]
  currentIdHash: string | undefined
}

const formatTime = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`

export function AccountPage({ user, sessions, currentIdHash, notice, error }: AccountPageProps) {
  return (
    <Layout title="Account" userName={user.name}>
      <h1>Your account</h1>
      <Notice notice={notice} error={error} />
      <section aria-labelledby="sessions-title" class="card">
        <h2 id="sessions-title">Where you're logged in</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Logged in</th>
              <th scope="col">Last seen</th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((session) => (
              <tr>
                <td>{session.device}</td>
                <td>{formatTime(session.createdAt)}</td>
                <td>{formatTime(session.lastSeenAt)}</td>
                <td>
                  {session.idHash === currentIdHash ? (
                    <strong>This device</strong>
                  ) : (
                    <form method="post" action="/account/sessions/revoke" class="inline">
                      <input type="hidden" name="session" value={session.idHash} />
                      <button type="submit" class="secondary">
                        Log out
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/account/logout-everywhere">
          <button type="submit" class="secondary">
            Log out everywhere
          </button>
        </form>
      </section>
      <section aria-labelledby="password-title" class="card">
        <h2 id="password-title">Change password</h2>
        <form method="post" action="/account/password">
          <Field
            id="current-password"
            label="Current password"
            name="current_password"
            {...CURRENT_PASSWORD}
          />
          <Field id="new-password" label="New password" name="new_password" {...NEW_PASSWORD} />
          <button type="submit">Change password</button>
        </form>
      </section>
    </Layout>
  )
}
