// Self time of a V8 CPU profile, by module and by function. Frames in the Worker's bundle are
// named after the module they fall in: esbuild's unminified output puts a `// node_modules/<pkg>/…`
// or `// src/…` comment line above each module's code.
import type { CpuProfile } from './inspector.ts'

export interface SelfTime {
  name: string
  ms: number
  /** of the busy time (every sample but idle) */
  share: number
}

export interface ProfileSummary {
  /** sampled time, idle included */
  totalMs: number
  idleMs: number
  byModule: SelfTime[]
  byFunction: SelfTime[]
}

const MODULE_COMMENT = /^\/\/ (node_modules\/(@[^/\s]+\/[^/\s]+|[^/\s]+)\/\S*|src\/\S+|\.\.\/\S+)$/

/** For each 0-based line of the bundle, the package (or src/ file) its code came from. */
export function modulesByLine(bundle: string): string[] {
  let current = '(bundle prelude)'
  return bundle.split('\n').map((line) => {
    const match = MODULE_COMMENT.exec(line)
    if (match) current = match[2] ?? (match[1] as string)
    return current
  })
}

function ranked(totals: Map<string, number>, busyMs: number, top: number): SelfTime[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms, share: busyMs > 0 ? ms / busyMs : 0 }))
}

/**
 * `bundleUrl`: the url the profile gives the bundle's frames (workerd: the module's name).
 * Frames without a url are V8's own: (garbage collector), (program), or built-ins.
 */
export function summarizeProfile(
  profile: CpuProfile,
  bundle: string,
  bundleUrl: string,
  top = 25
): ProfileSummary {
  const lines = modulesByLine(bundle)
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const byModule = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let totalMs = 0
  let idleMs = 0
  for (const [id, us] of selfUs) {
    const ms = us / 1000
    totalMs += ms
    const frame = frames.get(id)
    const raw = frame?.functionName ?? ''
    if (raw === '(idle)') {
      idleMs += ms
      continue
    }
    const url = frame?.url ?? ''
    const inBundle = url === bundleUrl
    // V8's own pseudo-frames, e.g. (program), (garbage collector), carry no url.
    const module = inBundle
      ? (lines[frame?.lineNumber ?? -1] ?? '(bundle)')
      : url || (raw.startsWith('(') ? raw : '(V8 built-ins)')
    byModule.set(module, (byModule.get(module) ?? 0) + ms)
    const name = raw || '(anonymous)'
    const fn =
      url === '' && raw.startsWith('(')
        ? raw
        : `${name} @ ${module}${inBundle ? ` (bundle:${(frame?.lineNumber ?? 0) + 1})` : ''}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms)
  }
  const busyMs = totalMs - idleMs
  return {
    totalMs,
    idleMs,
    byModule: ranked(byModule, busyMs, top),
    byFunction: ranked(byFunction, busyMs, top),
  }
}
