import type { Status } from '../db/statuses'
import type { SessionUser } from '../session/sessions'
import { Layout, Notice } from './layout'
import type { PageMessages } from './messages'

export interface HomePageProps extends PageMessages {
  user: SessionUser
  statuses: Status[]
  nextCursor: string | null
}

const formatTime = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`

export function HomePage({ user, statuses, nextCursor, notice, error }: HomePageProps) {
  return (
    <Layout title="Home" userName={user.name}>
      <h1>Hello, {user.name}</h1>
      <p class="hint">Logged in as {user.email}</p>
      <Notice notice={notice} error={error} />
      <section aria-labelledby="post-title" class="card">
        <h2 id="post-title">Post a status</h2>
        <form method="post" action="/addStatus">
          <label for="status">What's happening?</label>
          <textarea id="status" name="status" rows={3} required maxlength={1000} />
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
        {nextCursor && <a href={`/home?before=${nextCursor}`}>Older statuses</a>}
      </section>
    </Layout>
  )
}
