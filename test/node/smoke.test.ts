import { describe, expect, it } from 'vitest'

describe('toolchain', () => {
  it('runs on Node >= 22', () => {
    const major = Number(process.versions.node.split('.')[0])
    expect(major, `node ${process.versions.node}`).toBeGreaterThanOrEqual(22)
  })
})
