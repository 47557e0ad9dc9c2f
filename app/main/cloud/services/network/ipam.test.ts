import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { defaultPools, formatCidr, nextFree, overlaps, parseCidr, validatePools } from './ipam'

describe('ipam', () => {
  it('parses cidrs and refuses host bits when strict, as Neutron does', () => {
    assert.equal(formatCidr(parseCidr('10.0.0.0/26')), '10.0.0.0/26')
    assert.equal(parseCidr('10.0.0.0/28').size, 16)
    assert.equal(formatCidr(parseCidr('10.0.0.5/24')), '10.0.0.0/24')
    assert.throws(() => parseCidr('10.0.0.5/24', { strict: true }), /'10.0.0.0\/24' is recommended/)
    for (const bad of ['10.0.0.0', '10.0.0.256/24', '10.0.0.0/33', 'x/8', '', 42]) assert.throws(() => parseCidr(bad), /not a valid IP subnet/)
  })

  it('derives default pools around the gateway', () => {
    const c = parseCidr('192.168.1.0/24')
    assert.deepEqual(defaultPools(c, '192.168.1.1'), [{ start: '192.168.1.2', end: '192.168.1.254' }])
    assert.deepEqual(defaultPools(c, '192.168.1.254'), [{ start: '192.168.1.1', end: '192.168.1.253' }])
    assert.deepEqual(defaultPools(c, null), [{ start: '192.168.1.1', end: '192.168.1.254' }])
    assert.deepEqual(defaultPools(c, '192.168.1.10'), [
      { start: '192.168.1.1', end: '192.168.1.9' },
      { start: '192.168.1.11', end: '192.168.1.254' },
    ])
  })

  it('validates pools: inside the hosts, ordered, disjoint, gateway outside', () => {
    const c = parseCidr('10.0.0.0/24')
    validatePools(c, [{ start: '10.0.0.2', end: '10.0.0.254' }], '10.0.0.1')
    assert.throws(() => validatePools(c, [{ start: '10.0.0.0', end: '10.0.0.5' }], null), /spans beyond/)
    assert.throws(() => validatePools(c, [{ start: '10.0.0.9', end: '10.0.0.5' }], null), /spans beyond/)
    assert.throws(() => validatePools(c, [{ start: '10.0.0.2', end: '10.0.0.9' }, { start: '10.0.0.9', end: '10.0.0.20' }], null), /overlapping/)
    assert.throws(() => validatePools(c, [{ start: '10.0.0.1', end: '10.0.0.9' }], '10.0.0.1'), /conflicts with allocation pool/)
  })

  it('hands out the lowest free address and nothing when exhausted', () => {
    const pools = [{ start: '10.0.0.2', end: '10.0.0.4' }, { start: '10.0.0.8', end: '10.0.0.8' }]
    assert.equal(nextFree(pools, new Set()), '10.0.0.2')
    assert.equal(nextFree(pools, new Set(['10.0.0.2', '10.0.0.3', '10.0.0.4'])), '10.0.0.8')
    assert.equal(nextFree(pools, new Set(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.8'])), undefined)
  })

  it('detects overlapping cidrs', () => {
    assert.ok(overlaps(parseCidr('10.0.0.0/24'), parseCidr('10.0.0.128/25')))
    assert.ok(!overlaps(parseCidr('10.0.0.0/25'), parseCidr('10.0.0.128/25')))
  })
})
