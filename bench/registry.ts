// Each section's measurement (sections/) paired with its printer and charts (report/): the one
// place that knows both. A printer is a pure function of its section's result.
import type { SectionContext } from './context.ts'
import type { SectionName } from './options.ts'
import { appCharts, appText } from './report/app.ts'
import { bundleCharts, bundleText } from './report/bundle.ts'
import { distanceCharts, distanceText } from './report/distance.ts'
import { edgeCharts, edgeText } from './report/edge.ts'
import { gatewaysCharts, gatewaysText } from './report/gateways.ts'
import { hashCharts, hashText } from './report/hash.ts'
import { profileText } from './report/profile.ts'
import { soakCharts, soakText } from './report/soak.ts'
import { startupCharts, startupText } from './report/startup.ts'
import { benchApp } from './sections/app.ts'
import { benchDistance } from './sections/distance.ts'
import { benchEdge } from './sections/edge.ts'
import { benchGateways } from './sections/gateways.ts'
import { benchHash } from './sections/hash.ts'
import { benchProfile } from './sections/profile.ts'
import { benchSoak } from './sections/soak.ts'
import { benchStartup } from './sections/startup.ts'

/**
 * `exclusive`: it loads the machine, so it holds the bench lock (load runs from different people
 * never overlap); `usesBackends`: it writes to the bench's databases, emptied when the bench ends.
 */
function section<R>(
  measure: (context: SectionContext) => Promise<R>,
  text: (result: R) => string[],
  charts: (result: R) => string[] = () => [],
  { exclusive = true, usesBackends = true } = {}
) {
  const run = async (context: SectionContext) => {
    const result = await measure(context)
    return { result: result as unknown, text: text(result), charts: charts(result) }
  }
  return { run, exclusive, usesBackends }
}

async function benchBundle(context: SectionContext) {
  const { outDir: _outDir, mainModule: _mainModule, ...report } = await context.bundle()
  return report
}

export const REGISTRY: Record<SectionName, ReturnType<typeof section>> = {
  bundle: section(benchBundle, bundleText, bundleCharts, { exclusive: false, usesBackends: false }),
  gateways: section(benchGateways, gatewaysText, gatewaysCharts),
  app: section(benchApp, appText, appCharts),
  hash: section(benchHash, hashText, hashCharts, { usesBackends: false }),
  startup: section(benchStartup, startupText, startupCharts, { usesBackends: false }),
  distance: section(benchDistance, distanceText, distanceCharts),
  edge: section(benchEdge, edgeText, edgeCharts),
  soak: section(benchSoak, soakText, soakCharts),
  profile: section(benchProfile, profileText),
}
