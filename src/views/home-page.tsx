import type { Status } from '../db/statuses'
import type { FormFailure } from '../middleware/form-errors'
import type { SessionUser } from '../session/sessions'
import { describedBy, FieldError, FormError, FormKey, formErrors, STATUS } from './field'
import { Layout, Notice } from './layout'

export interface HomePageProps {
  user: SessionUser
  statuses: Status[]
  /** The next older page, if there is one. */
  olderHref: string | null
  /** The next newer page, if this is not the newest. */
  newerHref: string | null
  notice?: string | undefined
  /** The post form as it was refused. */
  post?: FormFailure | undefined
}

const formatTime = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`

export function HomePage({ user, statuses, olderHref, newerHref, notice, post }: HomePageProps) {
  const errors = formErrors(post, ['status'])
  return (
    <Layout title="Home" userName={user.name}>
      <h1>Hello, {user.name}</h1>
      <p class="hint who">Logged in as {user.email}</p>
      <Notice notice={notice} />
      <section aria-labelledby="post-title" class="card">
        <h2 id="post-title">Post a status</h2>
        <form method="post" action="/addStatus">
          <FormError id="post-error" error={errors.form} />
          <FormKey value={post?.key} />
          <label for="status">What's happening?</label>
          <FieldError id="status" error={errors.of('status')} />
          <textarea
            id="status"
            name="status"
            rows={3}
            {...describedBy('status', false, errors.of('status'))}
            {...STATUS}
          >
            {/* The parser drops a newline right after <textarea>: this one, not the status's. */}
            {'\n'}
            {errors.value('status')}
          </textarea>
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
