// The DevTools inspector protocol, for what only a process itself knows: a Node gateway's
// process.memoryUsage() after a forced GC, a Worker isolate's own JS heap and its CPU profile.

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

/** process.memoryUsage() of the inspected Node process after a full collection. */
export async function nodeMemory(session: InspectorSession): Promise<NodeJS.MemoryUsage> {
  await session.call('HeapProfiler.collectGarbage')
  const answer = (await session.call('Runtime.evaluate', {
    expression: 'process.memoryUsage()',
    returnByValue: true,
  })) as { result?: { value?: NodeJS.MemoryUsage } } | undefined
  const memory = answer?.result?.value
  if (!memory) throw new Error('the inspected process did not report its memory')
  return memory
}

/** A V8 CPU profile (the .cpuprofile format DevTools reads). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
  /** the node each sample landed in, and microseconds since the previous sample */
  samples: number[]
  timeDeltas: number[]
}

/** Samples the isolate every `intervalUs` while `during` runs. */
export async function recordCpuProfile<T>(
  session: InspectorSession,
  intervalUs: number,
  during: () => Promise<T>
): Promise<{ profile: CpuProfile; result: T }> {
  await session.call('Profiler.enable')
  await session.call('Profiler.setSamplingInterval', { interval: intervalUs })
  await session.call('Profiler.start')
  const result = await during()
  const stopped = (await session.call('Profiler.stop', {}, 60_000)) as { profile?: CpuProfile }
  await session.call('Profiler.disable')
  if (!stopped?.profile) throw new Error('the inspector returned no CPU profile')
  return { profile: stopped.profile, result }
}
