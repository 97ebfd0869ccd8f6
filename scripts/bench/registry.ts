// Each section's measurement (sections/) paired with its printer and charts (report/): the one
// place that knows both. A printer is a pure function of its section's result.
import type { BundleReport } from '../bundle-size.ts'
import type { Backends } from './infra/backends.ts'
import type { BenchOptions, SectionName } from './options.ts'
import { appCharts, appText } from './report/app.ts'
import { bundleCharts, bundleText } from './report/bundle.ts'
import { distanceCharts, distanceText } from './report/distance.ts'
import { gatewaysCharts, gatewaysText } from './report/gateways.ts'
import { hashCharts, hashText } from './report/hash.ts'
import { profileText } from './report/profile.ts'
import { soakCharts, soakText } from './report/soak.ts'
import { benchApp } from './sections/app.ts'
import { benchDistance } from './sections/distance.ts'
import { benchGateways } from './sections/gateways.ts'
import { benchHash } from './sections/hash.ts'
import { benchProfile } from './sections/profile.ts'
import { benchSoak } from './sections/soak.ts'

export interface SectionContext {
  options: BenchOptions
  backends: Backends
  /** the minified Worker as `wrangler deploy` would upload it; built once, on first use */
  bundle(): Promise<BundleReport>
  log(line: string): void
}

export interface Section {
  run(context: SectionContext): Promise<{ result: unknown; text: string[]; charts: string[] }>
  /** loads the machine: holds the bench lock, so load runs from different people never overlap */
  exclusive: boolean
  /** writes to the bench's Redis and MySQL databases (emptied when the bench ends) */
  usesBackends: boolean
}

function section<R>(
  measure: (context: SectionContext) => Promise<R>,
  text: (result: R) => string[],
  charts: (result: R) => string[] = () => [],
  { exclusive = true, usesBackends = true } = {}
): Section {
  return {
    exclusive,
    usesBackends,
    run: async (context) => {
      const result = await measure(context)
      return { result, text: text(result), charts: charts(result) }
    },
  }
}

async function benchBundle(context: SectionContext) {
  const { outDir: _outDir, mainModule: _mainModule, ...report } = await context.bundle()
  return report
}

export const REGISTRY: Record<SectionName, Section> = {
  bundle: section(benchBundle, bundleText, bundleCharts, { exclusive: false, usesBackends: false }),
  gateways: section(benchGateways, gatewaysText, gatewaysCharts),
  app: section(benchApp, appText, appCharts),
  hash: section(benchHash, hashText, hashCharts, { usesBackends: false }),
  distance: section(benchDistance, distanceText, distanceCharts),
  soak: section(benchSoak, soakText, soakCharts),
  profile: section(benchProfile, profileText),
}
