import { Layout, Notice } from './layout'
import type { PageMessages } from './messages'

export function IndexPage({ notice, error }: PageMessages) {
  return (
    <Layout title="Welcome">
      <h1>Post short statuses, see them in one place</h1>
      <Notice notice={notice} error={error} />
      <div class="columns">
        <section aria-labelledby="login-title" class="card">
          <h2 id="login-title">Log in</h2>
          <form method="post" action="/login">
            <label for="login-email">Email</label>
            <input
              id="login-email"
              name="user_email"
              type="email"
              autocomplete="username"
              required
              maxlength={254}
            />
            <label for="login-password">Password</label>
            <input
              id="login-password"
              name="user_password"
              type="password"
              autocomplete="current-password"
              required
              maxlength={1024}
            />
            <button type="submit">Log in</button>
          </form>
        </section>
        <section aria-labelledby="signup-title" class="card">
          <h2 id="signup-title">Sign up</h2>
          <form method="post" action="/register">
            <label for="signup-name">Name</label>
            <input id="signup-name" name="user_name" autocomplete="name" required maxlength={100} />
            <label for="signup-email">Email</label>
            <input
              id="signup-email"
              name="user_email"
              type="email"
              autocomplete="email"
              required
              maxlength={254}
            />
            <label for="signup-password">Password</label>
            <input
              id="signup-password"
              name="user_password"
              type="password"
              autocomplete="new-password"
              required
              minlength={15}
              maxlength={128}
              aria-describedby="signup-password-hint"
            />
            <p id="signup-password-hint" class="hint">
              At least 15 characters. A few unrelated words make a good one.
            </p>
            <button type="submit">Create account</button>
          </form>
        </section>
      </div>
    </Layout>
  )
}
