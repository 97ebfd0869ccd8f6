// A TCP proxy that holds every chunk for a while: a far Redis or MySQL for the bench, the lag of
// a replication link for the local replicas. It speaks no protocol, so any client works through it.
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'

export interface Delays {
  /** ms each chunk from the client waits before it is sent on */
  toServerMs: number
  /** ms each chunk from the server waits before it is sent on */
  toClientMs: number
}

export function delayProxy(host: string, port: number, delays: Delays): Server {
  const sockets = new Set<Socket>()
  const relay = (from: Socket, to: Socket, delayMs: number) => {
    // Timers of one duration fire in the order they were set, so the bytes keep their order.
    const later = (action: () => void) => (delayMs > 0 ? setTimeout(action, delayMs) : action())
    from.on('data', (chunk) => later(() => to.write(chunk)))
    from.on('end', () => later(() => to.end()))
    from.on('error', () => to.destroy())
    from.on('close', () => later(() => to.destroy()))
  }
  const server = createServer((client) => {
    const upstream = connect({ host, port, noDelay: true })
    client.setNoDelay(true)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    }
    relay(client, upstream, delays.toServerMs)
    relay(upstream, client, delays.toClientMs)
  })
  // close() also cuts the connections still open, as a stopped process would.
  const close = server.close.bind(server)
  server.close = (callback) => {
    for (const socket of sockets) socket.destroy()
    return close(callback)
  }
  return server
}

export interface RunningProxy {
  port: number
  close(): Promise<void>
}

/** A delay proxy listening on a free loopback port. */
export async function startDelayProxy(
  host: string,
  port: number,
  delays: Delays
): Promise<RunningProxy> {
  const server = delayProxy(host, port, delays)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
