import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { describeClose, shellSocketUrl } from './shell-transport'

describe('cloud shell transport', () => {
  it('names the websocket on the page origin, never with the token in it', () => {
    assert.equal(shellSocketUrl('http://127.0.0.1:8799'), 'ws://127.0.0.1:8799/cloud-shell/v1/socket')
    assert.equal(shellSocketUrl('https://localhost:9000/'), 'wss://localhost:9000/cloud-shell/v1/socket')
  })

  it('says in words why a shell ended', () => {
    assert.equal(describeClose(1000, 'the shell exited'), 'the shell exited')
    assert.match(describeClose(4401, 'invalid or expired token'), /refused the session token/)
    assert.equal(describeClose(4429, 'At most 16 cloud shells can be open at once: close one first.'), 'At most 16 cloud shells can be open at once: close one first.')
    assert.match(describeClose(1006, ''), /refused or lost/)
  })
})
