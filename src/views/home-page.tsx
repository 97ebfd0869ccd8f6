import type { Status } from '../db/statuses'
import type { PageMessages } from '../messages'
import type { SessionUser } from '../session/sessions'
import { FormKey, STATUS } from './field'
import { Layout, Notice } from './layout'

export interface HomePageProps extends PageMessages {
  user: SessionUser
  statuses: Status[]
  /** The next older page, if there is one. */
  olderHref: string | null
  /** The next newer page, if this is not the newest. */
  newerHref: string | null
  /** A fresh idempotency key for the post form. */
  formKey: string
}

const formatTime = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`

export function HomePage(props: HomePageProps) {
  const { user, statuses, olderHref, newerHref, formKey, notice, error } = props
  return (
    <Layout title="Home" userName={user.name}>
      <h1>Hello, {user.name}</h1>
      <p class="hint who">Logged in as {user.email}</p>
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
        {(newerHref || olderHref) && (
          <nav aria-label="More statuses" class="pager">
            {newerHref && <a href={newerHref}>← Newer statuses</a>}
            {olderHref && (
              <a href={olderHref} class="older">
                Older statuses →
              </a>
            )}
          </nav>
        )}
      </section>
    </Layout>
  )
}
