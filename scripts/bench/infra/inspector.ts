// Readings over the DevTools inspector protocol: a Node gateway's process.memoryUsage() after a
// forced GC; a Worker's own JS heap in workerd (Runtime.getHeapUsage), the figure that counts
// against the 128 MB isolate limit on Workers, unlike workerd's process RSS (workerd does not
// answer HeapProfiler.collectGarbage, so the isolate's heap is read as it is, no GC); and a V8
// CPU profile of the isolate.

const TIMEOUT_MS = 2000

export interface InspectorSession {
  /** The method's result, or undefined when the inspector did not answer in time. */
  call(method: string, params?: Record<string, unknown>, timeoutMs?: number): Promise<unknown>
  close(): void
}

export async function openInspector(webSocketUrl: string): Promise<InspectorSession> {
  const socket = new WebSocket(webSocketUrl)
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
    call: (method, params = {}, timeoutMs = TIMEOUT_MS) =>
      new Promise((resolve) => {
        const id = nextId++
        const timer = setTimeout(() => {
          waiting.delete(id)
          resolve(undefined)
        }, timeoutMs)
        waiting.set(id, (result) => {
          clearTimeout(timer)
          waiting.delete(id)
          resolve(result)
        })
        socket.send(JSON.stringify({ id, method, params }))
      }),
    close: () => socket.close(),
  }
}

/** The WebSocket URL of one target of an inspector (workerd lists one per Worker). */
export async function inspectorTarget(inspectorUrl: URL, targetId: string): Promise<string> {
  const listUrl = new URL('/json', inspectorUrl.href.replace(/^ws/, 'http'))
  const targets = (await (await fetch(listUrl)).json()) as {
    id: string
    webSocketDebuggerUrl: string
  }[]
  const target = targets.find((t) => t.id === targetId)
  if (!target) throw new Error(`no inspector target ${targetId}`)
  return target.webSocketDebuggerUrl
}

export interface NodeMemory {
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
}

/** process.memoryUsage() of the inspected Node process; gc: after a full collection. */
export async function nodeMemory(session: InspectorSession, gc: boolean): Promise<NodeMemory> {
  if (gc) await session.call('HeapProfiler.collectGarbage')
  const answer = (await session.call('Runtime.evaluate', {
    expression: 'process.memoryUsage()',
    returnByValue: true,
  })) as { result?: { value?: NodeMemory } } | undefined
  const memory = answer?.result?.value
  if (!memory) throw new Error('the inspected process did not report its memory')
  return memory
}

/** Bytes of JS heap in use in a workerd isolate, or undefined when it did not answer in time. */
export async function isolateHeapUsed(session: InspectorSession): Promise<number | undefined> {
  const result = (await session.call('Runtime.getHeapUsage')) as { usedSize?: number } | undefined
  return result?.usedSize
}

/** A V8 CPU profile (the .cpuprofile format DevTools reads). */
export interface CpuProfile {
  nodes: {
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
    children?: number[]
  }[]
  startTime: number
  endTime: number
  /** the node each sample landed in */
  samples: number[]
  /** microseconds since the previous sample */
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
  const stopped = (await session.call('Profiler.stop', {}, 60_000)) as
    | { profile?: CpuProfile }
    | undefined
  await session.call('Profiler.disable')
  if (!stopped?.profile) throw new Error('the inspector returned no CPU profile')
  return { profile: stopped.profile, result }
}
