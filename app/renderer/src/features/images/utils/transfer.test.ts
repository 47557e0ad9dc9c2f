import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { averageRate, keepRecent, secondsLeft, transferRate } from './transfer'

describe('transfer stats', () => {
  it('measures the rate over a moving window', () => {
    const samples = [
      { t: 0, loaded: 0 },
      { t: 1000, loaded: 1_000_000 },
      { t: 4000, loaded: 2_000_000 },
      { t: 5000, loaded: 4_000_000 },
    ]
    // Window of 3 s at t=5000: samples at 4000 and 5000 → 2 MB in 1 s.
    assert.equal(transferRate(samples, 5000, 3000), 2_000_000)
    assert.equal(transferRate([{ t: 0, loaded: 5 }], 0), 0)
    assert.equal(transferRate([], 0), 0)
  })

  it('keeps the newest sample even when all are old', () => {
    assert.deepEqual(keepRecent([{ t: 0, loaded: 1 }, { t: 10, loaded: 2 }], 100_000), [{ t: 10, loaded: 2 }])
  })

  it('estimates time left and average speed', () => {
    assert.equal(secondsLeft(500, 1500, 100), 10)
    assert.equal(secondsLeft(500, 1500, 0), undefined)
    assert.equal(averageRate(1000, 0, 2000), 500)
    assert.equal(averageRate(1000, 5, 5), 0)
  })
})
