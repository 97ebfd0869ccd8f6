// Terminal tables of the profile section.
import type { ProfileResult } from '../sections/profile.ts'
import { type Column, table } from './table.ts'

export function profileText(result: ProfileResult): string[] {
  const busy = result.totalMs - result.idleMs
  type SelfTime = ProfileResult['byModule'][number]
  const columns = (what: string): Column<SelfTime>[] => [
    [what, (s) => s.name],
    ['self ms', (s) => s.ms],
    ['share', (s) => s.share * 100, 1, '%'],
  ]
  return [
    `Profile: ${result.scenario} at ${result.connections} connections for ${result.durationS} s, ` +
      `sampled every ${result.samplingIntervalUs} µs in the Worker's isolate (unminified build). ` +
      `${result.requests} requests, ${Math.round(result.rps)} req/s, workerd CPU ` +
      `${result.workerdCpuMsPerRequest?.toFixed(3) ?? '–'} ms per request under the profiler. ` +
      `Sampled ${Math.round(result.totalMs)} ms, of which ${Math.round(busy)} ms busy ` +
      `(shares below are of the busy time). Written to ${result.file} (opens in DevTools).`,
    'With an inspector attached, console.* calls are far more expensive than without (each is ' +
      'also sent to the inspector): the profile overstates the cost of the request log line.',
    table('Self time by module (package, or file under src/)', columns('module'), result.byModule),
    table('Self time by function', columns('function @ module:line'), result.byFunction),
  ]
}
