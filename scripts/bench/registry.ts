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
  root: string
  /** the minified Worker as `wrangler deploy` would upload it; built once, on first use */
  bundle(): Promise<BundleReport>
  log(line: string): void
}

export interface SectionOutcome {
  result: unknown
  text: string[]
  charts: string[]
}

export interface Section {
  run(context: SectionContext): Promise<SectionOutcome>
  /** loads the machine: holds the bench lock, so load runs from different people never overlap */
  exclusive: boolean
  /** writes to the bench's Redis and MySQL databases (emptied when the bench ends) */
  usesBackends: boolean
}

function section<R>(spec: {
  run(context: SectionContext): Promise<R>
  text(result: R): string[]
  charts?(result: R): string[]
  exclusive?: boolean
  usesBackends?: boolean
}): Section {
  return {
    exclusive: spec.exclusive ?? true,
    usesBackends: spec.usesBackends ?? true,
    run: async (context) => {
      const result = await spec.run(context)
      return { result, text: spec.text(result), charts: spec.charts?.(result) ?? [] }
    },
  }
}

const worker = async (c: SectionContext) => ({
  backends: c.backends,
  root: c.root,
  mainModule: (await c.bundle()).mainModule,
  log: c.log,
})

export const REGISTRY: Record<SectionName, Section> = {
  bundle: section({
    run: async (c) => {
      const { outDir: _outDir, mainModule: _main, ...report } = await c.bundle()
      return report
    },
    text: bundleText,
    charts: bundleCharts,
    exclusive: false,
    usesBackends: false,
  }),
  gateways: section({
    run: (c) => benchGateways(c.backends, c.options.durationS * 1000),
    text: gatewaysText,
    charts: gatewaysCharts,
  }),
  app: section({
    run: async (c) => benchApp({ ...(await worker(c)), ...c.options }),
    text: appText,
    charts: appCharts,
  }),
  hash: section({
    run: (c) => benchHash(c.root, c.options.hashRuns),
    text: hashText,
    charts: hashCharts,
    usesBackends: false,
  }),
  distance: section({
    run: async (c) => benchDistance({ ...(await worker(c)), ...c.options }),
    text: distanceText,
    charts: distanceCharts,
  }),
  soak: section({
    run: async (c) =>
      benchSoak({
        ...(await worker(c)),
        minutes: c.options.soakMinutes,
        users: c.options.soakUsers,
        sampleSeconds: c.options.sampleSeconds,
      }),
    text: soakText,
    charts: soakCharts,
  }),
  profile: section({
    run: (c) =>
      benchProfile({
        ...c,
        durationS: c.options.durationS,
        route: c.options.route,
        out: c.options.out,
      }),
    text: profileText,
  }),
}
