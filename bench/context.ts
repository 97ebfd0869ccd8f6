// What every section is handed: its own module, so sections and infra depend on it and not on the
// registry that imports them.
import type { BundleReport } from '../scripts/bundle-size.ts'
import type { Backends } from './infra/backends.ts'
import type { BenchOptions } from './options.ts'

export interface SectionContext {
  options: BenchOptions
  backends: Backends
  /** the minified Worker as `wrangler deploy` would upload it; built once, on first use */
  bundle(): Promise<BundleReport>
  log(line: string): void
}
