import { describe, it, test } from 'node:test'
import assert from 'node:assert/strict'
import { decideNavigation, decideWindowOpen, originOf, permissionAllowed, SHELL_CSP, withContentSecurityPolicy } from './security-policy'

const APP = 'http://127.0.0.1:8799'

test('navigation stays on the cloud origin; web addresses elsewhere go to the OS browser; other schemes are refused', () => {
  const cases: [string, string][] = [
    ['http://127.0.0.1:8799/', 'allow'],
    ['http://127.0.0.1:8799/compute/servers?x=1#top', 'allow'],
    ['http://127.0.0.1:8800/', 'open-externally'], // another port is another origin
    ['http://localhost:8799/', 'open-externally'],
    ['https://127.0.0.1:8799/', 'open-externally'],
    ['http://127.0.0.1.evil.example:8799/', 'open-externally'], // not a prefix match
    ['http://127.0.0.1:8799.evil.example/', 'deny'], // not a URL at all (bad port)
    ['https://docs.openstack.org/api-ref/compute/', 'open-externally'],
    ['http://user:secret@example.com/', 'deny'],
    ['file:///etc/passwd', 'deny'],
    ['javascript:alert(1)', 'deny'],
    ['data:text/html,<script>alert(1)</script>', 'deny'],
    ['smb://server/share', 'deny'],
    ['vscode://extension/x', 'deny'],
    ['about:blank', 'deny'],
    ['not a url', 'deny'],
  ]
  for (const [url, expected] of cases) assert.equal(decideNavigation(url, APP), expected, url)
})

test('new windows are never created: web addresses open in the OS browser, the rest is refused', () => {
  assert.equal(decideWindowOpen('https://docs.openstack.org/'), 'open-externally')
  assert.equal(decideWindowOpen('http://127.0.0.1:8799/other'), 'open-externally')
  assert.equal(decideWindowOpen('file:///C:/Windows/System32/calc.exe'), 'deny')
  assert.equal(decideWindowOpen('ms-msdt:/id PCWDiagnostic'), 'deny')
  assert.equal(decideWindowOpen(''), 'deny')
})

test('originOf accepts only http(s) URLs', () => {
  assert.equal(originOf('http://127.0.0.1:8799'), APP)
  assert.equal(originOf('http://127.0.0.1:8799/'), APP)
  assert.throws(() => originOf('file:///tmp'))
  assert.throws(() => originOf('nonsense'))
})

test("the shell's CSP is added beside the server's, under the server's spelling of the header", () => {
  const server = "default-src 'self'"
  assert.deepEqual(withContentSecurityPolicy({ 'content-security-policy': [server], 'Content-Type': ['text/html'] }), {
    'content-security-policy': [server, SHELL_CSP],
    'Content-Type': ['text/html'],
  })
  assert.deepEqual(withContentSecurityPolicy({ 'Content-Type': 'text/html' }), {
    'Content-Type': ['text/html'],
    'Content-Security-Policy': [SHELL_CSP],
  })
  assert.deepEqual(withContentSecurityPolicy(undefined, "default-src 'none'"), { 'Content-Security-Policy': ["default-src 'none'"] })
})

test("the shell's CSP allows no inline or remote script, no plugins, no framing", () => {
  const directives = new Map(SHELL_CSP.split(';').map((d) => {
    const [name, ...values] = d.trim().split(/\s+/)
    return [name, values] as const
  }))
  assert.deepEqual(directives.get('script-src'), ["'self'"])
  assert.deepEqual(directives.get('default-src'), ["'self'"])
  assert.deepEqual(directives.get('object-src'), ["'none'"])
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"])
  assert.ok(!SHELL_CSP.includes('unsafe-'))
})

describe('permissionAllowed', () => {
  it('grants clipboard writes to the cloud origin only, and refuses every other permission', () => {
    assert.equal(permissionAllowed('clipboard-sanitized-write', 'http://127.0.0.1:8799/projects', 'http://127.0.0.1:8799'), true)
    assert.equal(permissionAllowed('clipboard-sanitized-write', 'http://evil.example/', 'http://127.0.0.1:8799'), false)
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'midi', 'pointerLock', 'fullscreen']) {
      assert.equal(permissionAllowed(p, 'http://127.0.0.1:8799/', 'http://127.0.0.1:8799'), false, p)
    }
  })

  it('grants notifications to the dashboard origin only (the request handler passes a URL, the check handler an origin)', () => {
    assert.equal(permissionAllowed('notifications', 'http://127.0.0.1:8799/compute/instances', 'http://127.0.0.1:8799'), true)
    assert.equal(permissionAllowed('notifications', 'http://127.0.0.1:8799', 'http://127.0.0.1:8799'), true)
    for (const other of ['http://127.0.0.1:8800/', 'http://localhost:8799/', 'https://127.0.0.1:8799/', 'file:///tmp/x.html', '', 'null', 'http://127.0.0.1:8799.evil.example/']) {
      assert.equal(permissionAllowed('notifications', other, 'http://127.0.0.1:8799'), false, other)
    }
  })
})
