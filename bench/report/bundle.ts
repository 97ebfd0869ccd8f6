// The bundle section's lines (those of `node scripts/bundle-size.ts`) and chart.
import { type BundleReport, formatBundleReport } from '../../scripts/bundle-size.ts'
import { barChart } from './charts.ts'

type BundleResult = Omit<BundleReport, 'outDir' | 'mainModule'>

export const bundleText = (result: BundleResult): string[] =>
  formatBundleReport({ ...result, outDir: '', mainModule: '' })

export function bundleCharts(bundle: BundleResult): string[] {
  const bars = bundle.contributors
    .slice(0, 12)
    .map((c) => ({ label: c.name, value: c.bytes / 1024 }))
  const title =
    `Bundle: ${(bundle.gzipBytes / 1024).toFixed(1)} KiB gzip of ` +
    `${(bundle.budgetGzipBytes / 1024).toFixed(0)} KiB budget; minified KiB by contributor`
  return [barChart(title, bars, 'KiB')]
}
