// An HTTP client on exactly one keep-alive connection, one request at a time: what a single
// visitor clicking through an app sees, with no pool to hide a slow answer behind another.
import { Agent, request } from 'node:http'

export interface OneRequest {
  method: string
  path: string
  headers?: Record<string, string>
  body?: string
}

export interface OneResponse {
  status: number
  body: string
  /** the name=value pair of the first Set-Cookie, if any */
  cookie: string | undefined
  /** from the request's start to the last byte of the answer */
  ms: number
}

export class OneConnection {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 })
  private readonly base: URL

  constructor(baseUrl: string) {
    this.base = new URL(baseUrl)
  }

  send(spec: OneRequest): Promise<OneResponse> {
    return new Promise((resolve, reject) => {
      const started = performance.now()
      const req = request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method: spec.method,
          path: spec.path,
          headers:
            spec.body === undefined
              ? spec.headers
              : { ...spec.headers, 'content-length': Buffer.byteLength(spec.body) },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('error', reject)
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              cookie: res.headers['set-cookie']?.[0]?.split(';')[0],
              ms: performance.now() - started,
            })
          )
        }
      )
      req.on('error', reject)
      req.end(spec.body)
    })
  }

  close(): void {
    this.agent.destroy()
  }
}
