// A DevTools inspector session, for what only a process itself knows: a Node gateway's memory
// after a forced GC (hosts.ts), a Worker isolate's own JS heap and its CPU profile (workerd.ts).

export interface InspectorSession {
  /** The method's result, or undefined when the inspector did not answer in time. */
  call(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<unknown>
  close(): void
}

export async function openInspector(webSocketUrl: string): Promise<InspectorSession> {
  const socket = new WebSocket(webSocketUrl)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', () => reject(new Error('inspector connection failed')))
  })
  let nextId = 1
  const waiting = new Map<number, (result: unknown) => void>()
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown }
    if (message.id !== undefined) waiting.get(message.id)?.(message.result)
  })
  return {
    call: (method, params = {}, timeoutMs = 2000) =>
      new Promise((resolve) => {
        const id = nextId++
        const answer = (result: unknown) => {
          clearTimeout(timer)
          waiting.delete(id)
          resolve(result)
        }
        const timer = setTimeout(() => answer(undefined), timeoutMs)
        waiting.set(id, answer)
        socket.send(JSON.stringify({ id, method, params }))
      }),
    close: () => socket.close(),
  }
}

/** A V8 CPU profile (the .cpuprofile format DevTools reads). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
  /** the node each sample landed in, and microseconds since the previous sample */
  samples: number[]
  timeDeltas: number[]
}
