// Password hashes take turns per isolate; beyond MAX_QUEUED the answer is 503 `overloaded`, and
// the time spent waiting for a turn does not count against the request's backend budget.
import { describe, expect, it } from 'vitest'
import { inTurn, MAX_QUEUED } from '../../src/auth/hash-queue'
import { RequestBudget, withBudget } from '../../src/backends/budget'
import { AppError } from '../../src/errors'

describe('the hash queue', () => {
  it(`runs hashes one at a time, and refuses the one beyond ${MAX_QUEUED} with 503 overloaded`, async () => {
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let running = 0
    let most = 0
    const hash = async () => {
      running++
      most = Math.max(most, running)
      await gate
      running--
      return 'hashed'
    }
    const queued = Array.from({ length: MAX_QUEUED }, () => inTurn(hash))
    let refused: unknown
    try {
      await inTurn(hash)
    } catch (error) {
      refused = error
    }
    expect(refused).toBeInstanceOf(AppError)
    expect(refused).toMatchObject({ code: 'overloaded', status: 503, retryAfter: 1 })
    release()
    expect(await Promise.all(queued)).toEqual(Array(MAX_QUEUED).fill('hashed'))
    expect(most, 'one at a time').toBe(1)
    expect(await inTurn(hash), 'room again').toBe('hashed')
  })

  it('does not spend the backend budget while a request waits for its turn', async () => {
    const budget = new RequestBudget(300, 300)
    await withBudget(budget, async () => {
      await inTurn(() => new Promise((resolve) => setTimeout(resolve, 500)))
      // 500 ms went by, more than the whole budget: a backend call may still start.
      expect(() => budget.signal('upstash')).not.toThrow()
    })
    const spent = new RequestBudget(300, 300)
    await withBudget(spent, () => new Promise((resolve) => setTimeout(resolve, 500)))
    expect(() => spent.signal('upstash'), 'other waiting does spend it').toThrow(/budget spent/)
  })
})
