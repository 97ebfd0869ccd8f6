import type { PageMessages } from '../messages'
import { CURRENT_PASSWORD, EMAIL, Field, FormKey, NAME, NEW_PASSWORD } from './field'
import { Layout, Notice } from './layout'

export interface IndexPageProps extends PageMessages {
  /** A fresh idempotency key for the sign-up form. */
  formKey: string
}

export function IndexPage({ formKey, notice, error }: IndexPageProps) {
  return (
    <Layout title="Welcome">
      <h1>Post short statuses, see them in one place</h1>
      <Notice notice={notice} error={error} />
      <div class="columns">
        <section aria-labelledby="login-title" class="card">
          <h2 id="login-title">Log in</h2>
          <form method="post" action="/login">
            <Field
              id="login-email"
              label="Email"
              name="user_email"
              autocomplete="username"
              {...EMAIL}
            />
            <Field
              id="login-password"
              label="Password"
              name="user_password"
              {...CURRENT_PASSWORD}
            />
            <button type="submit">Log in</button>
          </form>
        </section>
        <section aria-labelledby="signup-title" class="card">
          <h2 id="signup-title">Sign up</h2>
          <form method="post" action="/register">
            <FormKey value={formKey} />
            <Field id="signup-name" label="Name" name="user_name" autocomplete="name" {...NAME} />
            <Field
              id="signup-email"
              label="Email"
              name="user_email"
              autocomplete="email"
              {...EMAIL}
            />
            <Field
              id="signup-password"
              label="Password"
              name="user_password"
              hint={`At least ${NEW_PASSWORD.minlength} characters. A few unrelated words make a good one.`}
              {...NEW_PASSWORD}
            />
            <button type="submit">Create account</button>
          </form>
        </section>
      </div>
    </Layout>
  )
}
