// Second globalSetup of the workers project: a loopback HTTP API through which tests running in
// workerd break things on purpose. Nothing is started until a test asks for it.
//   POST   /proxy {target}                  -> {id, url}   a FaultyProxy in front of target
//   POST   /proxy/:id {mode, count?, ms?}   -> {}          how its next requests fail
//   GET    /proxy/:id                       -> ProxyStats
//   DELETE /proxy/:id
//   POST   /cluster                         -> ClusterInfo private Redis, MariaDB, gateways
//   POST   /cluster/:part/:action           -> {ms}        kill | start | pause | resume
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestProject } from 'vitest/node'
import { Cluster } from './cluster.ts'
import { ACTIONS, type Action, type FaultSetting, PARTS, type Part } from './protocol.ts'
import { FaultyProxy } from './proxy.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    faultControlUrl: string
  }
}

class HttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = ''
  for await (const chunk of req) text += chunk
  return text ? (JSON.parse(text) as Record<string, unknown>) : {}
}

export default async function setup(project: TestProject) {
  const proxies = new Map<string, FaultyProxy>()
  let cluster: Promise<Cluster> | undefined
  let nextId = 1

  async function route(req: IncomingMessage): Promise<unknown> {
    const [, kind, id, action] = (req.url ?? '/').split('/')
    if (kind === 'proxy' && id === undefined && req.method === 'POST') {
      const { target } = await jsonBody(req)
      const proxy = await FaultyProxy.start(String(target))
      const key = String(nextId++)
      proxies.set(key, proxy)
      return { id: key, url: proxy.url }
    }
    if (kind === 'proxy' && id !== undefined) {
      const proxy = proxies.get(id)
      if (!proxy) throw new HttpError(404, `no proxy ${id}`)
      if (req.method === 'GET') return proxy.stats
      if (req.method === 'POST') {
        proxy.set((await jsonBody(req)) as unknown as FaultSetting)
        return {}
      }
      if (req.method === 'DELETE') {
        proxies.delete(id)
        await proxy.close()
        return {}
      }
    }
    if (kind === 'cluster' && req.method === 'POST') {
      if (id === undefined) {
        cluster ??= Cluster.start()
        cluster.catch(() => {
          cluster = undefined
        })
        return (await cluster).info
      }
      if (!cluster) throw new HttpError(409, 'start the cluster first')
      if (!PARTS.includes(id as Part) || !ACTIONS.includes(action as Action)) {
        throw new HttpError(404, `unknown part or action: ${id}/${action}`)
      }
      const started = Date.now()
      await (await cluster).act(id as Part, action as Action)
      return { ms: Date.now() - started }
    }
    throw new HttpError(404, `unknown route ${req.method} ${req.url}`)
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    route(req).then(
      (body) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      },
      (error: unknown) => {
        res.writeHead(error instanceof HttpError ? error.status : 500, {
          'content-type': 'application/json',
        })
        res.end(JSON.stringify({ error: String(error) }))
      }
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  project.provide('faultControlUrl', `http://127.0.0.1:${(server.address() as AddressInfo).port}`)

  return async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await Promise.all([...proxies.values()].map((proxy) => proxy.close()))
    await (await cluster?.catch(() => undefined))?.close()
  }
}
