import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { consoleSocketUrl, imageIdFromLocation, KEYPAIR_NAME_PATTERN } from './compute'

describe('compute helpers', () => {
  it('reads the snapshot image id from the Location header', () => {
    assert.equal(imageIdFromLocation('http://127.0.0.1:8799/image/v2/images/0a1b-2c'), '0a1b-2c')
    assert.equal(imageIdFromLocation('http://x/v2/images/abc/'), 'abc')
    assert.equal(imageIdFromLocation(null), undefined)
    assert.equal(imageIdFromLocation('http://x/servers/1'), undefined)
  })

  it('connects the console from the page host on the same loopback port', () => {
    const url = 'ws://127.0.0.1:8799/compute/serial-console?token=abc'
    assert.equal(consoleSocketUrl(url, 'http://localhost:8799'), 'ws://localhost:8799/compute/serial-console?token=abc')
    assert.equal(consoleSocketUrl(url, 'http://127.0.0.1:8799'), url)
    assert.equal(consoleSocketUrl(url, 'http://localhost:9000'), url, 'another port is another cloud')
    assert.equal(consoleSocketUrl('nonsense', 'http://localhost:1'), 'nonsense')
  })

  it('knows Nova key pair names', () => {
    assert.equal(KEYPAIR_NAME_PATTERN.test('my key_1-a'), true)
    assert.equal(KEYPAIR_NAME_PATTERN.test('bad/name'), false)
  })
})
