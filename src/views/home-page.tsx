import type { Status } from '../db/statuses'
import type { PageMessages } from '../messages'
import type { SessionUser } from '../session/sessions'
import { FormKey, STATUS } from './field'
import { Layout, Notice } from './layout'

export interface HomePageProps extends PageMessages {
  user: SessionUser
  statuses: Status[]
  /** The next (older) page, if there is one. */
  olderHref: string | null
  /** A fresh idempotency key for the post form. */
  formKey: string
}

const formatTime = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`

export function HomePage({ user, statuses, olderHref, formKey, notice, error }: HomePageProps) {
  return (
    <Layout title="Home" userName={user.name}>
      <h1>Hello, {user.name}</h1>
      <p class="hint">Logged in as {user.email}</p>
      <Notice notice={notice} error={error} />
      <section aria-labelledby="post-title" class="card">
        <h2 id="post-title">Post a status</h2>
        <form method="post" action="/addStatus">
          <FormKey value={formKey} />
          <label for="status">What's happening?</label>
          <textarea id="status" name="status" rows={3} {...STATUS} />
          <button type="submit">Post</button>
        </form>
      </section>
      <section aria-labelledby="list-title">
        <h2 id="list-title">Your statuses</h2>
        {statuses.length === 0 ? (
          <p class="hint">No statuses yet.</p>
        ) : (
          <ol class="statuses">
            {statuses.map((status) => (
              <li>
                <p>{status.text}</p>
                <time datetime={status.createdAt}>{formatTime(status.createdAt)}</time>
              </li>
            ))}
          </ol>
        )}
        {olderHref && <a href={olderHref}>Older statuses</a>}
      </section>
    </Layout>
  )
}
