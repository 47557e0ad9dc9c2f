import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { OpenStackError } from '../../../lib/openstack/errors'
import { describeDeleteNetworkError } from './network-errors'

describe('describeDeleteNetworkError', () => {
  it('explains a 409 NetworkInUse with what to do', () => {
    const err = new OpenStackError(409, 'Unable to complete operation on network x. There are one or more ports still in use on the network.', { method: 'DELETE', path: '/v2.0/networks/x', kind: 'NetworkInUse' })
    const text = describeDeleteNetworkError(err, 'private')
    assert.match(text, /private is still in use/)
    assert.match(text, /Delete the instances/)
    assert.match(text, /router interfaces/)
  })
  it('falls back to the general words', () => {
    const err = new OpenStackError(403, 'disallowed by policy', { method: 'DELETE', path: '/v2.0/networks/x' })
    assert.match(describeDeleteNetworkError(err, 'public'), /not allowed to delete this network/)
  })
})
