// A TCP proxy that holds every chunk for a while in each direction, run by infra/delay.ts in a
// process of its own: a far Redis or MySQL for the tutorial app, whose clients speak their own
// protocols. Usage: node delay-proxy.ts HOST:PORT DELAY_MS
import { connect, createServer, type Socket } from 'node:net'

const [target = '', delayArg = '0'] = process.argv.slice(2)
const colon = target.lastIndexOf(':')
const host = target.slice(0, colon)
const port = Number(target.slice(colon + 1))
const delayMs = Number(delayArg)
if (!host || !Number.isInteger(port) || !(delayMs >= 0)) {
  console.error('usage: delay-proxy.ts HOST:PORT DELAY_MS')
  process.exit(2)
}

/** Timers of one duration fire in the order they were set, so the bytes keep their order. */
const later = (action: () => void) => (delayMs > 0 ? setTimeout(action, delayMs) : action())

function relay(from: Socket, to: Socket): void {
  from.on('data', (chunk) => later(() => to.write(chunk)))
  from.on('end', () => later(() => to.end()))
  from.on('error', () => to.destroy())
  from.on('close', () => later(() => to.destroy()))
}

const sockets = new Set<Socket>()
const server = createServer((client) => {
  const upstream = connect({ host, port, noDelay: true })
  client.setNoDelay(true)
  for (const socket of [client, upstream]) {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  }
  relay(client, upstream)
  relay(upstream, client)
})

server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  const listening = typeof address === 'object' && address ? address.port : 0
  console.log(
    `delay proxy listening on 127.0.0.1:${listening} for ${target}, +${delayMs} ms each way`
  )
})
process.once('SIGTERM', () => {
  for (const socket of sockets) socket.destroy()
  server.close(() => process.exit(0))
})
