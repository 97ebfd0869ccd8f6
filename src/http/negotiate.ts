import type { Context } from 'hono'

/** Browsers navigating (forms, links) get pages and redirects; API clients get JSON. */
export function wantsHtml(c: Context): boolean {
  if (c.req.header('sec-fetch-mode') === 'navigate') return true
  const accept = c.req.header('accept') ?? ''
  return accept.includes('text/html')
}

/** Post/Redirect/Get for browsers: 303 makes the browser follow with a GET. */
export const seeOther = (c: Context, location: string) => c.redirect(location, 303)
