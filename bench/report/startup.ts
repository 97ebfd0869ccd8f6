// Terminal lines and chart of the startup section.
import type { StartupResult } from '../sections/startup.ts'
import { barChart } from './charts.ts'

const ms = (value: number) => `${value.toFixed(2)} ms`

export function startupText(result: StartupResult): string[] {
  const { oursMs, bareMs, ratio, runs, targetRatio, targetAbsoluteMs } = result
  return [
    `Startup CPU (workerd's CPU for the request that imports the Worker, minus the same request once imported; fresh workerd per run, median of ${runs} each, alternating)`,
    `  ours ${ms(oursMs)}   bare Hono Worker ${ms(bareMs)}   ours/bare ${ratio.toFixed(2)}`,
    `  samples: ours ${result.samples.ours.map(ms).join(', ')}; bare ${result.samples.bare.map(ms).join(', ')}`,
    `  target: ours/bare <= ${targetRatio} or ours < ${targetAbsoluteMs} ms: ${result.withinTarget ? 'OK' : 'MISSED'}`,
  ]
}

export function startupCharts(result: StartupResult): string[] {
  const bars = [
    { label: 'ours', value: result.oursMs },
    { label: 'bare Hono', value: result.bareMs },
  ]
  return [barChart('Startup CPU: median ms', bars, 'ms')]
}
