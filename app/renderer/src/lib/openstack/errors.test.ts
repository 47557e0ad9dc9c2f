import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { describeError, OpenStackError, parseFault } from './errors'

describe('parseFault', () => {
  it('reads every OpenStack fault shape', () => {
    assert.deepEqual(parseFault(404, 'Not Found', '{"error":{"code":404,"title":"Not Found","message":"Could not find project: x."}}'), {
      message: 'Could not find project: x.',
      kind: 'Not Found',
    })
    assert.deepEqual(parseFault(404, '', '{"itemNotFound":{"code":404,"message":"Instance x could not be found."}}'), {
      message: 'Instance x could not be found.',
      kind: 'itemNotFound',
    })
    assert.deepEqual(parseFault(409, '', '{"NeutronError":{"type":"IpAddressInUse","message":"IP in use","detail":""}}'), {
      message: 'IP in use',
      kind: 'IpAddressInUse',
    })
    assert.deepEqual(parseFault(400, '', '{"code":400,"title":"Bad Request","message":"Bad disk_format"}'), { message: 'Bad disk_format', kind: 'Bad Request' })
    assert.deepEqual(parseFault(404, '', '<html><h1>Not Found</h1><p>The resource could not be found &#38; more.</p></html>'), {
      message: 'The resource could not be found & more.',
    })
  })

  it('falls back to the status text', () => {
    assert.deepEqual(parseFault(502, 'Bad Gateway', ''), { message: 'Bad Gateway' })
    assert.deepEqual(parseFault(500, '', '{"weird":1}'), { message: 'HTTP 500' })
  })
})

describe('describeError', () => {
  const err = (status: number, message = 'x') => new OpenStackError(status, message, { method: 'GET', path: '/p' })
  it('says a 403 needs the admin role, naming the action', () => {
    assert.equal(describeError(err(403), 'create projects'), 'You are not allowed to create projects (needs the admin role). Log in as an administrator, or ask one to do it.')
  })
  it('says what to do for the other common statuses', () => {
    assert.match(describeError(err(401)), /Log in again/)
    assert.match(describeError(err(0)), /Check that it is still running/)
    assert.match(describeError(err(409, 'Duplicate entry')), /^Duplicate entry\. Choose another name/)
    assert.match(describeError(err(501)), /not built yet/)
  })
})
