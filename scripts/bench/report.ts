// bench-results/<timestamp>.json (everything measured) and <timestamp>.html (charts + tables).
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BundleReport } from '../bundle-size.ts'
import type { AppResult } from './app.ts'
import { barChart, htmlPage, lineChart } from './charts.ts'
import type { GatewaysResult } from './gateways.ts'
import type { HashResult } from './hash.ts'
import type { SoakResult } from './soak.ts'
import { transcript } from './table.ts'

export interface BenchResults {
  startedAt: string
  finishedAt?: string
  command: string
  machine: {
    cpus: number
    memoryGiB: number
    loadAverage: number[]
    node: string
    platform: string
  }
  options: Record<string, unknown>
  /** 1/5/15-minute load averages when each section started */
  loadAverageAtSection: Record<string, number[]>
  gateways?: GatewaysResult
  app?: AppResult
  hash?: HashResult
  bundle?: Omit<BundleReport, 'outDir' | 'mainModule'>
  soak?: SoakResult
  failures: { section: string; error: string }[]
}

function charts(results: BenchResults): string[] {
  const parts: string[] = []
  const { gateways, app, hash, bundle, soak } = results
  if (gateways) {
    const at = (callers: number, value: (r: GatewaysResult['rows'][number]) => number) =>
      gateways.rows
        .filter((r) => r.callers === callers)
        .map((r) => ({ label: `${r.op} @${callers}`, value: value(r), series: r.variant }))
    parts.push(
      barChart(
        'Gateways: requests/s at 16 callers',
        at(16, (r) => r.rps),
        'req/s'
      ),
      barChart(
        'Gateways: p50 latency at 1 caller',
        at(1, (r) => r.p50ms),
        'ms'
      )
    )
  }
  if (app) {
    const bars = app.rows.map((r) => ({
      label: `${r.scenario} @${r.connections}`,
      value: r.rps,
      series: r.server,
    }))
    parts.push(barChart('App vs tutorial: requests/s', bars, 'req/s'))
  }
  if (hash) {
    const bars = hash.rows.map((r) => ({
      label: `${r.runtime} ${r.operation}`,
      value: r.medianMs,
    }))
    parts.push(barChart('Password hashing: median ms', bars, 'ms'))
  }
  if (bundle) {
    const bars = bundle.contributors
      .slice(0, 12)
      .map((c) => ({ label: c.name, value: c.bytes / 1024 }))
    parts.push(
      barChart(
        `Bundle: ${(bundle.gzipBytes / 1024).toFixed(1)} KiB gzip of ${(bundle.budgetGzipBytes / 1024).toFixed(0)} KiB budget; minified KiB by contributor`,
        bars,
        'KiB'
      )
    )
  }
  if (soak && soak.samples.length > 0) {
    const MiB = 1024 * 1024
    const series = (
      name: string,
      pick: (s: SoakResult['samples'][number]) => number | undefined
    ) => ({
      name,
      points: soak.samples.map((s) => [s.t, (pick(s) ?? 0) / MiB] as [number, number]),
    })
    parts.push(
      lineChart(
        'Soak: memory (gateways after a forced GC; MiB)',
        [
          series('upstash heap', (s) => s.upstash.heapUsed),
          series('upstash rss', (s) => s.upstash.rss),
          series('planetscale heap', (s) => s.planetscale.heapUsed),
          series('planetscale rss', (s) => s.planetscale.rss),
          series('workerd rss (no GC)', (s) => s.worker.workerdRss),
          series('isolate heap (no GC)', (s) => s.worker.isolateHeapUsed),
        ],
        'seconds',
        'MiB'
      ),
      lineChart(
        'Soak: latency per interval (ms)',
        [
          { name: 'p50', points: soak.samples.map((s) => [s.t, s.p50ms] as [number, number]) },
          { name: 'p99', points: soak.samples.map((s) => [s.t, s.p99ms] as [number, number]) },
        ],
        'seconds',
        'ms'
      )
    )
  }
  return parts
}

export async function writeResults(
  dir: string,
  results: BenchResults
): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true })
  const stamp = results.startedAt.replace(/[:.]/g, '-')
  const json = join(dir, `${stamp}.json`)
  const html = join(dir, `${stamp}.html`)
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`)
  await writeFile(
    html,
    htmlPage(`edge-status bench ${results.startedAt}`, charts(results), transcript.join('\n'))
  )
  return { json, html }
}
