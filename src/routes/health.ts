import { newApp } from '../http/app'

const READY_TIMEOUT_MS = 1000

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms)),
  ])
}

const probe = (work: Promise<unknown>) =>
  withTimeout(work, READY_TIMEOUT_MS).then(
    () => 'ok' as const,
    () => 'unavailable' as const
  )

/** Liveness: no I/O at all. */
export const livenessRoutes = newApp().get('/healthz', (c) => c.json({ status: 'ok' }))

/** Readiness: both backends answer within a second. */
export const readinessRoutes = newApp().get('/readyz', async (c) => {
  const [redis, sql] = await Promise.all([
    probe(c.get('redis').read.ping()),
    probe(c.get('db').read.execute('SELECT 1')),
  ])
  const ready = redis === 'ok' && sql === 'ok'
  if (!ready) c.header('Retry-After', '5')
  return c.json({ status: ready ? 'ok' : 'unavailable', redis, sql }, ready ? 200 : 503)
})
