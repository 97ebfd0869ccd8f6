// Property-based hostile input (fast-check) over every route. Random
// methods, paths and queries; bodies of every kind (JSON with wrong types and lone surrogates,
// forms with broken escapes, broken multipart, invalid UTF-8, deep nesting, too large); huge and
// malformed headers and cookies. No 5xx, no stack trace, nothing stored that should not be, and
// the app keeps serving.
import { env, exports } from 'cloudflare:workers'
import { connect } from '@planetscale/database'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INTERNALS } from './fault-control'
import { Client, ORIGIN, PASSWORD, sessionCookieOf, uniqueEmail } from './helpers'
import { allStatuses, quietLogs } from './reliability'

const RUNS = 500
/** Every address the generator may register is at this domain, so the run can count them. */
const MARKER = `hostile-${crypto.randomUUID().slice(0, 8)}.test`
const COOKIE = '__Host-sid'

const ROUTES: [string, string][] = [
  ['GET', '/'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/home'],
  ['GET', '/fetchStatus'],
  ['GET', '/account'],
  ['GET', '/logout'],
  ['POST', '/logout'],
  ['POST', '/register'],
  ['POST', '/login'],
  ['POST', '/addStatus'],
  ['POST', '/account/sessions/revoke'],
  ['POST', '/account/logout-everywhere'],
  ['POST', '/account/password'],
]
const FIELDS: Record<string, string[]> = {
  '/register': ['user_name', 'user_email', 'user_password'],
  '/login': ['user_email', 'user_password'],
  '/addStatus': ['status'],
  '/account/sessions/revoke': ['session'],
  '/account/password': ['current_password', 'new_password'],
}
/** The methods workerd's Request accepts (it refuses unknown ones, and CONNECT). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND']

const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: odd })

/**
 * What a header value can hold as it arrives from the edge: bytes without NUL, CR or LF. Mostly
 * ASCII (control characters included); workerd warns about every non-ASCII value, so those come
 * from a short list.
 */
const headerText = (maxLength: number) =>
  fc.oneof(
    {
      weight: 15,
      arbitrary: fc
        .string({
          unit: fc.integer({ min: 1, max: 0x7f }).map((c) => String.fromCharCode(c)),
          maxLength,
        })
        .map((s) => s.replace(/[\r\n]/g, '').trim()),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('\u00ff\u00fe', 'caf\u00e9', '\u00c3\u0028', '\u00e2\u0082\u00ac'),
    }
  )

// ---- field values ---------------------------------------------------------------------------

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  // Lone surrogates included.
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '   ', '\u200b', '\u0000', '<script>alert(1)</script>', "' OR 1=1 --"),
  fc.integer({ min: 995, max: 1030 }).map((n) => 'é'.repeat(n)),
  fc.integer({ min: 10, max: 20 }).map((n) => 'p'.repeat(n))
)
const email = mostly(
  fc
    .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,15}$/), fc.boolean())
    .map(([local, shout]) =>
      shout ? ` ${local.toUpperCase()}@${MARKER.toUpperCase()} ` : `${local}@${MARKER}`
    ),
  text
)
const oddValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 })
)
/** Often valid, so that requests also get past validation and store something. */
const plausible: Record<string, fc.Arbitrary<string>> = {
  user_email: email,
  user_name: mostly(fc.string({ minLength: 1, maxLength: 30 }), text),
  user_password: mostly(fc.string({ minLength: 15, maxLength: 40 }), text),
  new_password: mostly(fc.string({ minLength: 15, maxLength: 40 }), text),
  status: mostly(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), text),
}
const valueFor = (field: string): fc.Arbitrary<unknown> =>
  mostly<unknown>(plausible[field] ?? text, oddValue)

const fieldsFor = (path: string) => {
  const names = FIELDS[path] ?? ['status', 'user_email']
  return fc
    .tuple(
      fc.tuple(...names.map((name) => fc.option(valueFor(name), { freq: 8, nil: undefined }))),
      fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'extra', ''), fc.string(), {
        maxKeys: 2,
      })
    )
    .map(([values, extra]) => {
      const record: Record<string, unknown> = { ...extra }
      names.forEach((name, i) => {
        if (values[i] !== undefined) record[name] = values[i]
      })
      return record
    })
}

// ---- bodies ---------------------------------------------------------------------------------

interface Body {
  contentType: string | undefined
  bytes: Uint8Array | undefined
}

const encoder = new TextEncoder()
const utf8 = (s: string) => encoder.encode(s)

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const wellFormed = (s: string) => s.replace(LONE_SURROGATE, '\uFFFD')

const asText = (value: unknown) =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))

const formEncode = (fields: Record<string, unknown>) =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(wellFormed(asText(v)))}`)
    .join('&')

function multipart(fields: Record<string, unknown>, boundary: string, broken: boolean) {
  const parts = Object.entries(fields).map(
    ([k, v]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${asText(v)}\r\n`
  )
  return parts.join('') + (broken ? `--${boundary}` : `--${boundary}--\r\n`)
}

const deep = fc
  .tuple(fc.integer({ min: 100, max: 3000 }), fc.boolean())
  .map(([depth, array]) =>
    array
      ? `${'['.repeat(depth)}${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
  )

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'multipart/form-data; boundary=',
    'text/plain',
    'application/xml'
  ),
  headerText(60)
)

const bodyFor = (path: string): fc.Arbitrary<Body> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fieldsFor(path).map((fields) => ({
        contentType: 'application/json',
        bytes: utf8(JSON.stringify(fields)),
      })),
    },
    {
      weight: 3,
      arbitrary: fieldsFor(path).map((fields) => ({
        contentType: 'application/x-www-form-urlencoded',
        bytes: utf8(formEncode(fields)),
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fieldsFor(path),
          fc.stringMatching(/^[A-Za-z0-9]{1,30}$/),
          fc.boolean(),
          fc.boolean()
        )
        .map(([fields, boundary, broken, wrongHeader]) => ({
          contentType: `multipart/form-data; boundary=${wrongHeader ? `${boundary}x` : boundary}`,
          bytes: utf8(multipart(fields, boundary, broken)),
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(contentType, fc.constantFrom('status=%ff%fe', 'a=%', 'user_email=%E0%A4%A', '=&=&&'))
        .map(([type, raw]) => ({ contentType: type, bytes: utf8(raw) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(contentType, fc.uint8Array({ maxLength: 500 }))
        .map(([type, bytes]) => ({ contentType: type, bytes })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(contentType, fc.json({ maxDepth: 3 })).map(([type, json]) => ({
        contentType: type,
        bytes: utf8(json),
      })),
    },
    {
      weight: 1,
      arbitrary: deep.map((json) => ({ contentType: 'application/json', bytes: utf8(json) })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        contentType: 'application/json',
        bytes: utf8(JSON.stringify({ status: 'x'.repeat(17 * 1024) })),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.option(contentType, { nil: undefined }).map((type) => ({
        contentType: type,
        bytes: undefined,
      })),
    }
  )

// ---- requests -------------------------------------------------------------------------------

type CookieKind = 'victim' | 'none' | 'garbage' | 'huge' | 'double' | 'empty'

interface Hostile {
  method: string
  path: string
  query: string
  cookie: CookieKind
  garbage: string
  headers: [string, string][]
  body: Body
}

const withBody = ROUTES.filter(([, path]) => path in FIELDS)
const route = mostly(
  // The routes that read a body (and store things) get half of the requests.
  fc.oneof(fc.constantFrom(...withBody), fc.constantFrom(...ROUTES)),
  fc.tuple(
    fc.constantFrom(...METHODS),
    fc.oneof(
      fc.constantFrom(...ROUTES.map(([, path]) => path)),
      fc.webPath(),
      fc.constantFrom(
        '/home%ff',
        '/%c0%ae%c0%ae/',
        '//home',
        '/HOME',
        '/fetchStatus/',
        '/account/',
        '/%00',
        `/${'a'.repeat(6000)}`
      )
    )
  )
)
const query = mostly(
  fc.constant(''),
  fc.oneof(
    fc
      .tuple(fc.string({ maxLength: 25 }), fc.string({ maxLength: 25 }))
      .map(
        ([limit, cursor]) =>
          `?limit=${encodeURIComponent(limit)}&cursor=${encodeURIComponent(cursor)}`
      ),
    fc.constantFrom(
      '?limit=%ff',
      '?cursor=99999999999999999999',
      '?limit=0',
      '?limit=100',
      '?limit=101',
      '?a=%',
      '?limit=1&limit=2',
      '?notice=%3Cscript%3E',
      '?error=__proto__'
    ),
    fc.webQueryParameters().map((q) => `?${q}`)
  )
)
const extraHeader = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      'accept',
      'origin',
      'sec-fetch-site',
      'sec-fetch-mode',
      'user-agent',
      'cf-connecting-ip',
      'content-length',
      'x-forwarded-for',
      'cookie2'
    ),
    fc.stringMatching(/^x-[a-z0-9-]{1,20}$/)
  ),
  fc.oneof(
    headerText(200),
    fc.constantFrom(
      'text/html',
      'application/json',
      '*/*',
      'navigate',
      'cross-site',
      'same-origin',
      ORIGIN,
      'null'
    ),
    fc.integer({ min: 4_000, max: 12_000 }).map((n) => 'h'.repeat(n))
  )
)

const hostile: fc.Arbitrary<Hostile> = fc
  .record({
    route,
    query,
    cookie: fc.constantFrom<CookieKind>(
      'victim',
      'victim',
      'victim',
      'victim',
      'none',
      'none',
      'garbage',
      'huge',
      'double',
      'empty'
    ),
    garbage: headerText(300),
    headers: fc.array(extraHeader, { maxLength: 4 }),
    browser: fc.boolean(),
  })
  .chain(({ route: [method, path], query: q, cookie, garbage, headers, browser }) =>
    bodyFor(path).map(
      (body): Hostile => ({
        method,
        path,
        query: q,
        cookie,
        garbage,
        headers: browser
          ? [
              ['accept', 'text/html,application/xhtml+xml'],
              ['sec-fetch-mode', 'navigate'],
              ['sec-fetch-site', 'same-origin'],
              ['origin', ORIGIN],
              ...headers,
            ]
          : headers,
        body,
      })
    )
  )

// ---- the run --------------------------------------------------------------------------------

let logs: ReturnType<typeof quietLogs>
const victim = new Client()
const victimEmail = uniqueEmail('victim')

beforeAll(async () => {
  await victim.register({ email: victimEmail })
  await victim.login(victimEmail)
  logs = quietLogs()
})
afterAll(() => logs?.restore())

function cookieHeader(kind: CookieKind, garbage: string): string | undefined {
  switch (kind) {
    case 'victim':
      return `${COOKIE}=${victim.cookie}`
    case 'none':
      return undefined
    case 'garbage':
      return `${COOKIE}=${garbage}`
    case 'huge':
      return `${COOKIE}=${'A'.repeat(9000)}; other=${'b'.repeat(4000)}`
    case 'double':
      return `${COOKIE}=${garbage}; ${COOKIE}=${victim.cookie}; ${garbage}`
    case 'empty':
      return `${COOKIE}=`
  }
}

function build(input: Hostile): Request {
  const headers = new Headers()
  for (const [name, value] of input.headers) headers.set(name, value)
  if (!headers.has('cf-connecting-ip')) {
    headers.set('cf-connecting-ip', `2001:db8:${crypto.randomUUID().slice(0, 4)}::1`)
  }
  const cookie = cookieHeader(input.cookie, input.garbage)
  if (cookie) headers.set('cookie', cookie)
  const withBody = input.method !== 'GET' && input.method !== 'HEAD'
  if (withBody && input.body.contentType) headers.set('content-type', input.body.contentType)
  return new Request(`${ORIGIN}${input.path}${input.query}`, {
    method: input.method,
    headers,
    body: withBody ? input.body.bytes : undefined,
    redirect: 'manual',
  })
}

describe('every route under hostile input', () => {
  const seen = new Map<string, number>()
  let posted = 0
  let registered = 0

  it(`answers ${RUNS} random requests without a 5xx or a trace, storing nothing it refused`, async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (input) => {
        const request = build(input)
        const response = await exports.default.fetch(request)
        const body = await response.text()
        const context = `${input.method} ${input.path.slice(0, 80)}${input.query.slice(0, 80)} cookie=${input.cookie} type=${input.body.contentType} -> ${response.status} ${body.slice(0, 200)}`
        seen.set(`${response.status}`, (seen.get(`${response.status}`) ?? 0) + 1)
        expect(response.status, context).toBeLessThan(500)
        expect(body, context).not.toMatch(INTERNALS)
        const type = response.headers.get('content-type') ?? ''
        if (body.length > 0)
          expect(type, context).toMatch(/^(application\/json|text\/html|text\/css)/)
        if (type.startsWith('application/json') && input.method !== 'HEAD') {
          expect(() => JSON.parse(body), context).not.toThrow()
        }
        // Success is 201 for API clients, a redirect with a notice for browsers.
        const location = response.headers.get('location') ?? ''
        const done = (notice: string) =>
          input.method === 'POST' &&
          (response.status === 201 || (response.status === 303 && location.endsWith(notice)))
        if (input.path === '/addStatus' && done('?notice=posted')) posted++
        if (input.path === '/register' && done('?notice=registered')) registered++
        // Only a login, a password change or a browser's sign-up may hand out a session.
        const signedUp = input.path === '/register' && done('?notice=registered')
        if (input.path !== '/login' && input.path !== '/account/password' && !signedUp) {
          expect(sessionCookieOf(response) ?? null, `${context}: new session`).toBeNull()
        }
        // A hostile request may log the victim out (logout takes no body): log in again.
        if (sessionCookieOf(response) === null || response.status === 401) {
          const check = await victim.request('/fetchStatus?limit=1')
          await check.body?.cancel()
          if (check.status === 401) await victim.login(victimEmail)
        }
      }),
      { numRuns: RUNS }
    )
    console.log(
      JSON.stringify({
        hostileAppRequests: RUNS,
        statuses: Object.fromEntries(seen),
        posted,
        registered,
      })
    )

    // Nothing unhandled, and the app still serves.
    expect(logs.errors, 'nothing unhandled was logged').toEqual([])
    expect((await exports.default.fetch(`${ORIGIN}/healthz`)).status).toBe(200)
    const fresh = new Client()
    const freshEmail = uniqueEmail('after-hostile')
    await fresh.register({ email: freshEmail })
    await fresh.login(freshEmail)

    // Stored: exactly the victim's accepted statuses, all well-formed; the accepted accounts;
    // and no session of the victim but the current one.
    const statuses = await allStatuses(victim)
    expect(statuses, 'one stored status per 201').toHaveLength(posted)
    for (const status of statuses) {
      expect(wellFormed(status), 'well-formed').toBe(status)
      expect(status.trim().length, 'not only spaces').toBeGreaterThan(0)
      expect([...status].length).toBeLessThanOrEqual(1000)
    }
    const accounts = await connect({ url: env.DATABASE_URL }).execute(
      'SELECT email FROM users WHERE email LIKE ?',
      [`%@${MARKER}`]
    )
    expect(accounts.rows, 'one account per 201').toHaveLength(registered)
    const sessions = (await (await victim.request('/account')).json()) as { message: unknown[] }
    expect(sessions.message, "the victim's sessions").toHaveLength(1)
    await victim.login(victimEmail, PASSWORD)
  }, 180_000)
})
