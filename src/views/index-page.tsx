import type { FormFailure } from '../middleware/form-errors'
import {
  CURRENT_PASSWORD,
  EMAIL,
  Field,
  FormError,
  FormKey,
  formErrors,
  NAME,
  NEW_PASSWORD,
  NEW_PASSWORD_HINT,
} from './field'
import { Layout, Notice } from './layout'

export interface IndexPageProps {
  notice?: string | undefined
  /** The log-in form as it was refused. */
  login?: FormFailure | undefined
  /** The sign-up form as it was refused. */
  signup?: FormFailure | undefined
}

export function IndexPage({ notice, login, signup }: IndexPageProps) {
  const loginErrors = formErrors(login, ['user_email', 'user_password'])
  const signupErrors = formErrors(signup, ['user_name', 'user_email', 'user_password'])
  return (
    <Layout title="Welcome">
      <h1>Post short statuses, see them in one place</h1>
      <Notice notice={notice} />
      <div class="columns">
        <section aria-labelledby="login-title" class="card">
          <h2 id="login-title">Log in</h2>
          <form method="post" action="/login">
            <FormError id="login-error" error={loginErrors.form} />
            <Field
              id="login-email"
              label="Email"
              name="user_email"
              autocomplete="username"
              errors={loginErrors}
              {...EMAIL}
            />
            <Field
              id="login-password"
              label="Password"
              name="user_password"
              errors={loginErrors}
              {...CURRENT_PASSWORD}
            />
            <button type="submit">Log in</button>
          </form>
        </section>
        <section aria-labelledby="signup-title" class="card">
          <h2 id="signup-title">Sign up</h2>
          <form method="post" action="/register">
            <FormError id="signup-error" error={signupErrors.form} />
            <FormKey value={signup?.key} />
            <Field
              id="signup-name"
              label="Name"
              name="user_name"
              autocomplete="name"
              errors={signupErrors}
              {...NAME}
            />
            <Field
              id="signup-email"
              label="Email"
              name="user_email"
              autocomplete="email"
              errors={signupErrors}
              {...EMAIL}
            />
            <Field
              id="signup-password"
              label="Password"
              name="user_password"
              hint={NEW_PASSWORD_HINT}
              errors={signupErrors}
              {...NEW_PASSWORD}
            />
            <button type="submit">Create account</button>
          </form>
        </section>
      </div>
    </Layout>
  )
}
