// The Worker's own JS heap, read over workerd's DevTools inspector (Runtime.getHeapUsage): the
// figure that counts against the 128 MB isolate limit on Workers, unlike workerd's process RSS.
// workerd does not answer HeapProfiler.collectGarbage, so this is the heap as it is (no GC).

export interface IsolateHeap {
  /** bytes of JS heap in use, or undefined when the inspector did not answer in time */
  used(): Promise<number | undefined>
  close(): void
}

const TIMEOUT_MS = 2000

export async function connectIsolateHeap(
  inspectorUrl: URL,
  targetId: string
): Promise<IsolateHeap> {
  const listUrl = new URL('/json', inspectorUrl.href.replace(/^ws/, 'http'))
  const targets = (await (await fetch(listUrl)).json()) as {
    id: string
    webSocketDebuggerUrl: string
  }[]
  const target = targets.find((t) => t.id === targetId)
  if (!target) throw new Error(`no inspector target ${targetId}`)
  const socket = new WebSocket(target.webSocketDebuggerUrl)
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true })
    socket.addEventListener('error', () => reject(new Error('inspector connection failed')), {
      once: true,
    })
  })
  let nextId = 1
  const waiting = new Map<number, (result: unknown) => void>()
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown }
    if (message.id !== undefined) waiting.get(message.id)?.(message.result)
  })
  return {
    used: () =>
      new Promise((resolve) => {
        const id = nextId++
        const timer = setTimeout(() => {
          waiting.delete(id)
          resolve(undefined)
        }, TIMEOUT_MS)
        waiting.set(id, (result) => {
          clearTimeout(timer)
          waiting.delete(id)
          resolve((result as { usedSize?: number } | undefined)?.usedSize)
        })
        socket.send(JSON.stringify({ id, method: 'Runtime.getHeapUsage' }))
      }),
    close: () => socket.close(),
  }
}
