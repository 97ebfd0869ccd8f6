// The bench's own small servers, each run by hosts.ts in a process of its own, so its timers and
// sockets never wait on the load generator's event loop. Each prints the port it listens on.
//   node servers.ts bare                the HTTP floor: every request gets one fixed JSON body,
//                                       which PUT /__body replaces (the gateway's captured answer)
//   node servers.ts delay HOST PORT MS  a TCP proxy holding every chunk MS in each direction: a far
//                                       Redis or MySQL for the tutorial, whose clients speak their
//                                       own protocols
import { createServer as createHttpServer } from 'node:http'
import type { AddressInfo, Server } from 'node:net'
import { delayProxy } from '../../scripts/lib/delay-proxy.ts'

function bare(): Server {
  let body = Buffer.from('{}')
  return createHttpServer((req, res) => {
    if (req.method === 'PUT' && req.url === '/__body') {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        body = Buffer.concat(chunks)
        res.writeHead(204).end()
      })
      return
    }
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
      res.end(body)
    })
  })
}

const [mode, host = '', port, delayMs] = process.argv.slice(2)
const server =
  mode === 'bare'
    ? bare()
    : delayProxy(host, Number(port), { toServerMs: Number(delayMs), toClientMs: Number(delayMs) })
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${(server.address() as AddressInfo).port}`)
})
process.once('SIGTERM', () => process.exit(0))
