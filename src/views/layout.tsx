import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'

export interface LayoutProps {
  title: string
  children: Child
  /** Shown in the header with a log-out button when set. */
  userName?: string
}

export function Layout({ title, children, userName }: LayoutProps) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · Statuses`}</title>
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          <link rel="stylesheet" href="/app.css" />
        </head>
        <body>
          <header class="bar">
            <a class="brand" href="/">
              Statuses
            </a>
            {userName && (
              <nav aria-label="Account">
                <a href="/home">Home</a>
                <a href="/account">Account</a>
                <form method="post" action="/logout" class="inline">
                  <button type="submit" class="link">
                    Log out
                  </button>
                </form>
              </nav>
            )}
          </header>
          <main id="main">{children}</main>
        </body>
      </html>
    </>
  )
}

/** A confirmation after a redirect (`?notice=`). Errors stand by their forms (see field.tsx). */
export function Notice({ notice }: { notice?: string | undefined }) {
  return notice ? (
    <p class="message notice" role="status">
      {notice}
    </p>
  ) : null
}
