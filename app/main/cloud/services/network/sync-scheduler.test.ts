import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { SyncScheduler } from './sync-scheduler'

/** A sync that records how many run at once and can be held open. */
function recorder() {
  const r = {
    runs: 0,
    active: 0,
    maxActive: 0,
    fail: false,
    gate: undefined as Promise<void> | undefined,
    async sync() {
      r.runs++
      r.active++
      r.maxActive = Math.max(r.maxActive, r.active)
      try {
        if (r.gate) await r.gate
        if (r.fail) throw new Error('boom')
      } finally {
        r.active--
      }
    },
  }
  return r
}

describe('SyncScheduler', () => {
  it('ignores requests until enabled, then debounces a burst into one sync', async () => {
    const r = recorder()
    const s = new SyncScheduler(() => r.sync(), () => undefined, 10)
    s.request()
    await sleep(30)
    assert.equal(r.runs, 0)
    s.enable()
    for (let i = 0; i < 5; i++) s.request()
    await sleep(40)
    assert.equal(r.runs, 1)
  })

  it('never runs two at once: a change during a sync runs one more after it', async () => {
    const r = recorder()
    const s = new SyncScheduler(() => r.sync(), () => undefined, 5)
    s.enable()
    let open!: () => void
    r.gate = new Promise((resolve) => (open = resolve))
    s.request()
    await sleep(20)
    assert.equal(r.active, 1)
    s.request()
    s.request()
    await sleep(30)
    assert.equal(r.runs, 1, 'waits for the sync in flight')
    r.gate = undefined
    open()
    await sleep(30)
    assert.equal(r.runs, 2, 'one more for the changes it did not see')
    assert.equal(r.maxActive, 1)
  })

  it('reports a failed sync and goes on', async () => {
    const r = recorder()
    const errors: unknown[] = []
    const s = new SyncScheduler(() => r.sync(), (e) => errors.push(e), 5)
    s.enable()
    r.fail = true
    await s.flush()
    assert.equal(errors.length, 1)
    r.fail = false
    s.request()
    await sleep(20)
    assert.equal(r.runs, 2)
    assert.equal(errors.length, 1)
  })

  it('flush runs one now; close waits for the one in flight and runs the pending one', async () => {
    const r = recorder()
    const s = new SyncScheduler(() => r.sync(), () => undefined, 1000)
    s.enable()
    s.request()
    await s.flush()
    assert.equal(r.runs, 1, 'flush does not wait for the debounce')
    s.request()
    await s.close()
    assert.equal(r.runs, 2, 'close hands over the change still pending')
    s.request()
    await sleep(10)
    await s.close()
    assert.equal(r.runs, 2, 'nothing after close')
  })
})
