import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Client, countRequests, loggedInClient, PASSWORD, uniqueEmail } from './helpers'

/**
 * Backend round trips per request, counted by the gateways (docs/architecture.md, "Request budgets").
 * These are exact: a regression in either direction fails here.
 */
describe('request budgets', () => {
  const measure = async (work: () => Promise<Response>) => {
    let status = 0
    const used = await countRequests(async () => {
      status = (await work()).status
    })
    return { status, ...used }
  }

  it('anonymous GET / : 0 Upstash, 0 PlanetScale', async () => {
    const client = new Client()
    expect(await measure(() => client.request('/', { browser: true }))).toEqual({
      status: 200,
      upstash: 0,
      planetscale: 0,
    })
  })

  it('authenticated GET /home and GET /fetchStatus: 1 Upstash, 1 PlanetScale', async () => {
    const { client } = await loggedInClient('budget-read')
    expect(await measure(() => client.request('/home', { browser: true }))).toEqual({
      status: 200,
      upstash: 1,
      planetscale: 1,
    })
    expect(await measure(() => client.request('/fetchStatus'))).toEqual({
      status: 200,
      upstash: 1,
      planetscale: 1,
    })
  })

  it('POST /addStatus: 1 Upstash, 1 PlanetScale', async () => {
    const { client } = await loggedInClient('budget-post')
    expect(
      await measure(() => client.request('/addStatus', { json: { status: 'budget' } }))
    ).toEqual({
      status: 201,
      upstash: 1,
      planetscale: 1,
    })
  })

  it('POST /addStatus with an idempotency key: 1 Upstash, 1 PlanetScale; only a retry costs a second statement', async () => {
    const { client } = await loggedInClient('budget-key')
    const keyed = { json: { status: 'keyed' }, headers: { 'idempotency-key': crypto.randomUUID() } }
    expect(await measure(() => client.request('/addStatus', keyed))).toEqual({
      status: 201,
      upstash: 1,
      planetscale: 1,
    })
    expect(await measure(() => client.request('/addStatus', keyed))).toEqual({
      status: 201,
      upstash: 1,
      planetscale: 2,
    })
  })

  it('POST /login: 2 Upstash (throttle; session pipeline with the throttle reset), 1 PlanetScale', async () => {
    const email = uniqueEmail('budget-login')
    const client = new Client()
    await client.register({ email })
    await client.login(email) // loads the throttle scripts into Redis (first EVALSHA falls back to EVAL)
    expect(
      await measure(() =>
        client.request('/login', { json: { user_email: email, user_password: PASSWORD } })
      )
    ).toEqual({ status: 200, upstash: 2, planetscale: 1 })
  })

  it('failed POST /login: 1 Upstash (throttle: the failure keeps its tokens), 1 PlanetScale', async () => {
    const email = uniqueEmail('budget-fail')
    const client = new Client()
    await client.register({ email })
    expect(
      await measure(() =>
        client.request('/login', { json: { user_email: email, user_password: 'wrong one' } })
      )
    ).toEqual({ status: 401, upstash: 1, planetscale: 1 })
  })

  it('throttled POST /login: 2 Upstash (throttle; the tokens taken go back), 1 PlanetScale (alongside)', async () => {
    const email = uniqueEmail('budget-429')
    const client = new Client({ LOGIN_LIMIT_PER_ACCOUNT_ADDRESS: '1' })
    await client.register({ email })
    const wrong = { json: { user_email: email, user_password: 'wrong one' } }
    expect((await client.request('/login', wrong)).status).toBe(401)
    expect(await measure(() => client.request('/login', wrong))).toEqual({
      status: 429,
      upstash: 2,
      planetscale: 1,
    })
  })

  it('POST /register: 1 Upstash (throttle), 1 PlanetScale (the unique index decides)', async () => {
    const client = new Client()
    await client.register({ email: uniqueEmail('budget-warm') })
    const json = { user_name: 'B', user_email: uniqueEmail('budget-reg'), user_password: PASSWORD }
    expect(await measure(() => client.request('/register', { json }))).toEqual({
      status: 201,
      upstash: 1,
      planetscale: 1,
    })
    expect(await measure(() => client.request('/register', { json }))).toEqual({
      status: 409,
      upstash: 1,
      planetscale: 1,
    })
  })

  it("a browser's POST /register: 2 Upstash (throttle; the new session), 1 PlanetScale", async () => {
    const client = new Client()
    await client.register({ email: uniqueEmail('budget-warm') })
    const form = { user_name: 'B', user_email: uniqueEmail('budget-form'), user_password: PASSWORD }
    expect(await measure(() => client.request('/register', { form, browser: true }))).toEqual({
      status: 303,
      upstash: 2,
      planetscale: 1,
    })
  })

  it('POST /register with an idempotency key: 1 Upstash, 1 PlanetScale; a retry 1 Upstash, 2 PlanetScale', async () => {
    const client = new Client()
    await client.register({ email: uniqueEmail('budget-warm') })
    const json = { user_name: 'K', user_email: uniqueEmail('budget-key'), user_password: PASSWORD }
    const keyed = { json, headers: { 'idempotency-key': crypto.randomUUID() } }
    expect(await measure(() => client.request('/register', keyed))).toEqual({
      status: 201,
      upstash: 1,
      planetscale: 1,
    })
    expect(await measure(() => client.request('/register', keyed))).toEqual({
      status: 201,
      upstash: 1,
      planetscale: 2,
    })
  })

  it('logout: 1 Upstash, 0 PlanetScale', async () => {
    const { client } = await loggedInClient('budget-logout')
    expect(
      await measure(() => client.request('/logout', { method: 'POST', browser: true }))
    ).toEqual({
      status: 303,
      upstash: 1,
      planetscale: 0,
    })
  })

  it('GET /account: 1 Upstash (the session and the index with its entries, in one pipeline), 0 PlanetScale', async () => {
    const { client } = await loggedInClient('budget-account')
    expect(await measure(() => client.request('/account', { browser: true }))).toEqual({
      status: 200,
      upstash: 1,
      planetscale: 0,
    })
  })

  it('requests without a session cost no Upstash call', async () => {
    const client = new Client()
    expect(await measure(() => client.request('/fetchStatus'))).toEqual({
      status: 401,
      upstash: 0,
      planetscale: 0,
    })
  })
})

describe('Redis writes', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  /** The Redis commands the app sends to Upstash while `work` runs (read from its fetch calls). */
  async function redisCommands(work: () => Promise<unknown>): Promise<string[]> {
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    await work()
    const commands: string[] = []
    for (const [input, init] of fetchSpy.mock.calls) {
      const url = input instanceof Request ? input.url : String(input)
      if (!url.startsWith(env.UPSTASH_REDIS_REST_URL) || typeof init?.body !== 'string') continue
      const body = JSON.parse(init.body) as unknown[]
      const list = url.endsWith('/pipeline') ? (body as unknown[][]) : [body]
      commands.push(...list.map((command) => String(command[0]).toLowerCase()))
    }
    fetchSpy.mockRestore()
    return commands
  }

  it('authenticated reads send only GETEX: an unchanged session is never written back', async () => {
    const { client } = await loggedInClient('no-writes')
    for (const path of ['/home', '/fetchStatus', '/']) {
      const commands = await redisCommands(() =>
        client.request(path, { browser: path !== '/fetchStatus' })
      )
      expect(commands, path).toEqual(['getex'])
    }
    const posting = await redisCommands(() =>
      client.request('/addStatus', { json: { status: 'x' } })
    )
    expect(posting, 'posting a status writes no session data either').toEqual(['getex'])
  })
})
