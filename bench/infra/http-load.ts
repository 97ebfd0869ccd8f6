// HTTP load: autocannon with per-response timing, CPU time per process from /proc, and the
// gateways' counters (settled after a run, read around a sequential probe).
import autocannon from 'autocannon'
import { sleep } from '../../scripts/lib/processes.ts'
import { percentiles } from './stats.ts'
import { type HttpRequest, headersOf, Visitor } from './visitor.ts'

export type Load = Awaited<ReturnType<typeof cannon>>
type Counters = () => Promise<number[]>

/** One autocannon run; its own percentiles are whole ms, ours come from per-response hrtime. */
export async function cannon(url: string, req: HttpRequest, connections: number, seconds: number) {
  const latencies: number[] = []
  const result = await autocannon({
    url: `${url}${req.path}`,
    method: req.method,
    headers: headersOf(req),
    ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
    connections,
    duration: seconds,
    timeout: 30,
  }).on('response', (_client, _status, _bytes, ms) => latencies.push(ms))
  return {
    /** responses within the window */
    requests: result.requests.total,
    /** requests written, including those in flight when autocannon stopped */
    sent: Math.max(result.requests.sent, result.requests.total),
    rps: result.requests.total / result.duration,
    ...percentiles(latencies),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }
}

/**
 * autocannon stops with requests in flight, and workerd finishes them: wait until the gateways'
 * counters stop moving, so the next run starts on an idle server.
 */
export async function settle(counters: Counters): Promise<number[]> {
  let last = await counters()
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    await sleep(300)
    const now = await counters()
    if (now.every((value, i) => value === last[i])) return now
    last = now
  }
  return last
}

/**
 * Backend requests per request, exactly: ten requests one after the other, counters read before
 * and after. (Under load the counters also see requests still in flight when autocannon stops,
 * which skews slow scenarios such as login.)
 */
export async function probeBackendCalls(url: string, req: HttpRequest, counters: Counters) {
  const visitor = new Visitor(url)
  const send = async () => {
    const { status } = await visitor.send(req)
    if (status >= 400) throw new Error(`probe ${req.method} ${req.path}: HTTP ${status}`)
  }
  try {
    // Not counted: the first call of each rate-limit script on a fresh gateway falls back from
    // EVALSHA to EVAL (one extra request, once per script), which is not the steady state.
    await send()
    const before = await counters()
    for (let i = 0; i < 10; i++) await send()
    const after = await counters()
    const per = (i: number) => ((after[i] ?? 0) - (before[i] ?? 0)) / 10
    return [per(0), per(1)] as const
  } finally {
    visitor.close()
  }
}
