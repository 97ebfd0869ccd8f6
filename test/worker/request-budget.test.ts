// RequestBudget's timers: one per group of calls that start together, never one shared across I/O.
import { describe, expect, it } from 'vitest'
import { BackendUnavailable, RequestBudget } from '../../src/backends/budget'

const afterIo = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('RequestBudget.signal', () => {
  it('gives the calls that start together one timer, and a call started after I/O its own', async () => {
    const budget = new RequestBudget(5000, 2500)
    const sessionCheck = budget.signal('upstash')
    expect(budget.signal('planetscale'), 'the query started beside it').toBe(sessionCheck)
    await afterIo()
    const write = budget.signal('planetscale')
    expect(write, 'a call after an answer came').not.toBe(sessionCheck)
    expect(write.aborted).toBe(false)
  })

  it('aborts a call at the per-call timeout', async () => {
    const signal = new RequestBudget(5000, 20).signal('upstash')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(signal.aborted).toBe(true)
  })

  it('refuses a call once the budget is spent', async () => {
    const budget = new RequestBudget(10, 2500)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(() => budget.signal('upstash')).toThrow(BackendUnavailable)
  })
})
