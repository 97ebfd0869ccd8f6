// bench-results/<timestamp>.json (everything measured) and <timestamp>.html (charts + tables).
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { htmlPage } from './charts.ts'

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
  /** each section's result under its name */
  sections: Record<string, unknown>
  failures: { section: string; error: string }[]
}

/** The report as written: the JSON, and the HTML page of the charts and the printed text. */
export async function writeResults(
  dir: string,
  results: BenchResults,
  report: { charts: string[]; transcript: string[] }
): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true })
  const stamp = results.startedAt.replace(/[:.]/g, '-')
  const json = join(dir, `${stamp}.json`)
  const html = join(dir, `${stamp}.html`)
  // Each section's result at the top level, under its name, as before the sections had a registry.
  const { sections, ...run } = results
  await writeFile(json, `${JSON.stringify({ ...run, ...sections }, null, 2)}\n`)
  const title = `edge-status bench ${results.startedAt}`
  await writeFile(html, htmlPage(title, report.charts, report.transcript.join('\n')))
  return { json, html }
}
