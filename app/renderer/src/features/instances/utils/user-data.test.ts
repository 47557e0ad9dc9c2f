import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { USER_DATA_MAX } from '../../../lib/openstack/compute'
import { base64Length, checkUserData, decodeUserData, encodeUserData } from './user-data'

describe('user data', () => {
  it('encodes the UTF-8 bytes in base64, as Nova wants', () => {
    assert.equal(encodeUserData('#!/bin/sh\necho hi\n'), Buffer.from('#!/bin/sh\necho hi\n').toString('base64'))
    assert.equal(encodeUserData('héllo ✓'), Buffer.from('héllo ✓', 'utf8').toString('base64'))
    assert.equal(encodeUserData(''), '')
    assert.equal(decodeUserData(encodeUserData('héllo ✓\n')), 'héllo ✓\n')
    assert.equal(decodeUserData('not base64!'), undefined)
  })

  it('encodes large text without blowing the stack', () => {
    const text = 'x'.repeat(40_000)
    assert.equal(encodeUserData(text), Buffer.from(text).toString('base64'))
  })

  it('measures the encoded size and refuses more than Nova takes', () => {
    assert.equal(base64Length(3), 4)
    assert.equal(base64Length(4), 8)
    assert.equal(USER_DATA_MAX, 65_535)
    assert.equal(checkUserData('a'.repeat(49_149)).error, undefined, '65,532 characters encoded')
    const big = checkUserData('a'.repeat(49_150))
    assert.equal(big.encoded, 65_536)
    assert.match(big.error ?? '', /at most 65,535/)
  })

  it('says what cloud-init will do with it', () => {
    assert.match(checkUserData('#cloud-config\npackages: []').hint ?? '', /cloud-config/)
    assert.match(checkUserData('#!/bin/sh\necho hi').hint ?? '', /A script \(\/bin\/sh\)/)
    assert.match(checkUserData('hello').hint ?? '', /only stored/)
    assert.equal(checkUserData('').hint, undefined)
  })
})
