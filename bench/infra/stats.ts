// Order statistics over measured samples.

/** Nearest-rank quantile of an ascending array; 0 when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[index] as number
}

export const ascending = (values: number[]) => Float64Array.from(values).sort()

/** p50 and p99 of unsorted samples. */
export function percentiles(values: number[]): { p50ms: number; p99ms: number } {
  const sorted = ascending(values)
  return { p50ms: quantile(sorted, 0.5), p99ms: quantile(sorted, 0.99) }
}

/** The middle value (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = ascending(values)
  const mid = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** a / b, or null when either is missing or b is 0. */
export const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined || b === 0 ? null : a / b
