// The bench's HTTP floor, run by hosts.ts (BareHost) in a process of its own: every request gets
// one fixed JSON body, which PUT /__body replaces (the gateway's own answer, captured first).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

let body = Buffer.from('{}')

const server = createServer((req, res) => {
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

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  console.log(`bare listening on http://127.0.0.1:${port}`)
})
process.once('SIGTERM', () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
