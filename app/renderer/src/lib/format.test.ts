import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { formatByteCount, formatBytes, formatDateTime, formatDuration, formatRate, percent } from './format'

describe('formatBytes', () => {
  it('uses binary units with at most three significant digits', () => {
    assert.equal(formatBytes(0), '0 bytes')
    assert.equal(formatBytes(1), '1 byte')
    assert.equal(formatBytes(1023), '1023 bytes')
    assert.equal(formatBytes(1024), '1 KiB')
    assert.equal(formatBytes(1536), '1.5 KiB')
    assert.equal(formatBytes(196_624), '192 KiB')
    assert.equal(formatBytes(16 * 1024 * 1024), '16 MiB')
    assert.equal(formatBytes(15.34 * 1024 * 1024), '15.3 MiB')
    assert.equal(formatBytes(1.25 * 1024 ** 3), '1.25 GiB')
    assert.equal(formatBytes(3 * 1024 ** 4), '3 TiB')
  })

  it('shows a dash for what is not a size (Glance answers null before the data is uploaded)', () => {
    assert.equal(formatBytes(null), '—')
    assert.equal(formatBytes(undefined), '—')
    assert.equal(formatBytes(-1), '—')
    assert.equal(formatBytes(Number.NaN), '—')
  })
})

describe('formatByteCount, formatRate, formatDuration, percent', () => {
  it('formats exact counts, rates and times left', () => {
    assert.equal(formatByteCount(16_777_216), '16,777,216 bytes')
    assert.equal(formatRate(3.2 * 1024 * 1024), '3.2 MiB/s')
    assert.equal(formatRate(0), '—')
    assert.equal(formatDuration(4.4), '4 s')
    assert.equal(formatDuration(75), '1 min 15 s')
    assert.equal(formatDuration(120), '2 min')
    assert.equal(formatDuration(4000), '1 h 6 min')
  })

  it('floors percentages and bounds them', () => {
    assert.equal(percent(0, 100), 0)
    assert.equal(percent(999, 1000), 99)
    assert.equal(percent(1000, 1000), 100)
    assert.equal(percent(5, 0), 0)
    assert.equal(percent(200, 100), 100)
  })
})

describe('formatDateTime', () => {
  it('formats ISO dates and leaves garbage alone', () => {
    assert.match(formatDateTime('2025-03-12T14:03:00Z', 'en-GB'), /2025/)
    assert.equal(formatDateTime('not a date'), 'not a date')
    assert.equal(formatDateTime(null), '—')
  })
})
