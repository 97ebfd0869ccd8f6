import type { FormFailure } from '../middleware/form-errors'
import type { ActiveSession, SessionUser } from '../session/sessions'
import {
  CURRENT_PASSWORD,
  Field,
  FormError,
  formErrors,
  NEW_PASSWORD,
  NEW_PASSWORD_HINT,
} from './field'
import { Layout, Notice } from './layout'

export interface AccountPageProps {
  user: SessionUser
  sessions: ActiveSession[]
  currentIdHash: string | undefined
  notice?: string | undefined
  /** A refused "Log out" of one session. */
  revoke?: FormFailure | undefined
  /** The password form as it was refused. */
  password?: FormFailure | undefined
}

const formatTime = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`

/** This device first, then the most recently seen. */
const inOrder = (sessions: ActiveSession[], currentIdHash: string | undefined) =>
  sessions.toSorted(
    (a, b) =>
      Number(b.idHash === currentIdHash) - Number(a.idHash === currentIdHash) ||
      b.lastSeenAt.getTime() - a.lastSeenAt.getTime()
  )

export function AccountPage(props: AccountPageProps) {
  const { user, sessions, currentIdHash, notice, revoke, password } = props
  const passwordErrors = formErrors(password, ['current_password', 'new_password'])
  return (
    <Layout title="Account" userName={user.name}>
      <h1>Your account</h1>
      <Notice notice={notice} />
      <section aria-labelledby="sessions-title" class="card">
        <h2 id="sessions-title">Where you're logged in</h2>
        <FormError id="revoke-error" error={revoke?.message} />
        <table class="sessions">
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
            {inOrder(sessions, currentIdHash).map((session) => (
              <tr>
                <td>{session.device}</td>
                <td data-label="Logged in">{formatTime(session.createdAt)}</td>
                <td data-label="Last seen">{formatTime(session.lastSeenAt)}</td>
                <td>
                  {session.idHash === currentIdHash ? (
                    <strong>This device</strong>
                  ) : (
                    <form method="post" action="/account/sessions/revoke" class="inline">
                      <input type="hidden" name="session" value={session.idHash} />
                      <button type="submit" class="secondary">
                        Log out<span class="visually-hidden"> {session.device}</span>
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
          <FormError id="password-error" error={passwordErrors.form} />
          {/* For password managers: whose password this is. Not sent (no name). */}
          <input type="email" autocomplete="username" value={user.email} hidden />
          <Field
            id="current-password"
            label="Current password"
            name="current_password"
            errors={passwordErrors}
            {...CURRENT_PASSWORD}
          />
          <Field
            id="new-password"
            label="New password"
            name="new_password"
            hint={NEW_PASSWORD_HINT}
            errors={passwordErrors}
            {...NEW_PASSWORD}
          />
          <button type="submit">Change password</button>
        </form>
      </section>
    </Layout>
  )
}
