import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { FakeHost } from '../../drivers/hypervisor/fake/fake-driver'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'

/** Stackling's own API: /stackling/v1/{settings,health,services} (admin only but services), on the fake hypervisor. */
describe('stackling API: settings and health', () => {
  let t: TestCloud
  let admin: string
  let demo: string
  let imageId: string

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    admin = await t.login(t.admin.username, t.admin.password, 'admin')
    demo = await t.login(t.demo.username, t.demo.password, 'demo')
    const file = path.join(t.dataDir, 'base.qcow2')
    execFileSync('qemu-img', ['create', '-f', 'qcow2', file, '16M'])
    const img = (await t.call('POST', '/image/v2/images', { token: admin, body: { name: 'base', disk_format: 'qcow2', container_format: 'bare', visibility: 'public' } })).body
    await fetch(`${t.url}/image/v2/images/${img.id}/file`, { method: 'PUT', headers: { 'X-Auth-Token': admin, 'Content-Type': 'application/octet-stream' }, body: readFileSync(file) })
    imageId = img.id
  })
  after(async () => {
    await t?.close()
  })

  const settings = (token: string, body?: unknown) => t.call(body === undefined ? 'GET' : 'PATCH', '/stackling/v1/settings', { token, body })
  const boot = async (name: string) => {
    const r = await t.call('POST', '/compute/v2.1/servers', { token: admin, body: { server: { name, imageRef: imageId, flavorRef: '42', networks: 'none' } } })
    assert.equal(r.status, 202, r.text)
    for (let i = 0; i < 200; i++) {
      const s = (await t.call('GET', `/compute/v2.1/servers/${r.body.server.id}`, { token: admin })).body.server
      if (['ACTIVE', 'ERROR'].includes(s.status)) return s
      await new Promise((res) => setTimeout(res, 20))
    }
    throw new Error('the server never settled')
  }

  it('shows the defaults, where each value comes from, and the data folder', async () => {
    const r = await settings(admin)
    assert.equal(r.status, 200, r.text)
    assert.equal(r.body.data_dir, t.dataDir)
    assert.deepEqual(r.body.settings.onQuit, { value: 'stop', source: 'default', stored: null, env: 'STACKLING_ON_QUIT', applies: 'live', default: 'stop' })
    assert.equal(r.body.settings.port.applies, 'next-start')
    assert.equal(r.body.settings.accelerator.value, 'auto')
    assert.equal(r.body.settings.vmMemoryCapMb.value, null)
    assert.equal(existsSync(path.join(t.dataDir, 'settings.json')), false)
  })

  it('is admin only: 403 for a member, 401 without a token', async () => {
    assert.equal((await settings(demo)).status, 403)
    assert.equal((await settings(demo, { settings: { onQuit: 'keep' } })).status, 403)
    assert.equal((await t.call('GET', '/stackling/v1/health', { token: demo })).status, 403)
    assert.equal((await t.call('GET', '/stackling/v1/settings')).status, 401)
    // every user may see whether the services work (the overview)
    const s = await t.call('GET', '/stackling/v1/services', { token: demo })
    assert.equal(s.status, 200)
    assert.deepEqual(s.body.services, [{ type: 'compute', state: 'up' }])
  })

  it('refuses invalid values with 400 naming the field, and changes nothing', async () => {
    const cases: [unknown, string][] = [
      [{ settings: { port: 'x' } }, 'settings/port'],
      [{ settings: { port: 80 } }, 'settings/port'],
      [{ settings: { onQuit: 'explode' } }, 'settings/onQuit'],
      [{ settings: { accelerator: 'vmware' } }, 'settings/accelerator'],
      [{ settings: { vmMemoryCapMb: 1.5 } }, 'settings/vmMemoryCapMb'],
      [{ settings: { vmDiskCapGb: 0 } }, 'settings/vmDiskCapGb'],
      [{ settings: { dataDir: '/elsewhere' } }, 'settings/dataDir'],
      [{ nothing: 1 }, 'settings'],
    ]
    for (const [body, field] of cases) {
      const r = await settings(admin, body)
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`)
      assert.equal(r.body.error.field, field, r.text)
      assert.match(r.body.error.message, new RegExp(field.replace('settings/', '')))
    }
    assert.equal(existsSync(path.join(t.dataDir, 'settings.json')), false)
  })

  it('round-trips through settings.json (mode 0600), and null goes back to the default', async () => {
    const r = await settings(admin, { settings: { port: 9123, accelerator: 'tcg' } })
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(r.body.settings.port, { value: 9123, source: 'settings', stored: 9123, env: 'STACKLING_PORT', applies: 'next-start', default: 8799 })
    const file = path.join(t.dataDir, 'settings.json')
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { port: 9123, accelerator: 'tcg' })
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600)
    assert.equal((await settings(admin)).body.settings.accelerator.value, 'tcg')
    const cleared = await settings(admin, { settings: { port: null } })
    assert.equal(cleared.body.settings.port.source, 'default')
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { accelerator: 'tcg' })
  })

  it('applies the memory cap to new instances at once: the scheduler refuses beyond it', async () => {
    assert.equal((await settings(admin, { settings: { vmMemoryCapMb: 128 } })).status, 200)
    const first = await boot('cap-1')
    assert.equal(first.status, 'ACTIVE')
    const second = await boot('cap-2')
    assert.equal(second.status, 'ERROR')
    assert.match(second.fault.message, /No valid host was found\. RAM cap: 128 MB requested, 0 MB left of the 128 MB/)
    await settings(admin, { settings: { vmMemoryCapMb: null, vmDiskCapGb: 1 } })
    const third = await boot('cap-3')
    assert.equal(third.status, 'ERROR')
    assert.match(third.fault.message, /disk cap: 1 GB requested, 0 GB left of the 1 GB/)
    await settings(admin, { settings: { vmDiskCapGb: null } })
    assert.equal((await boot('cap-4')).status, 'ACTIVE')
  })

  it('applies "keep running on quit" live: the running guests survive the stop', async () => {
    const running = await boot('keeper')
    assert.equal((await settings(admin, { settings: { onQuit: 'keep' } })).status, 200)
    await t.cloud.stop()
    assert.equal(FakeHost.for(t.dataDir).guests.get(running.id)?.state, 'running')
  })
})

describe('stackling API: health', () => {
  let t: TestCloud
  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
  })
  after(async () => {
    await t?.close()
  })
  it('runs the doctor on this machine for an admin, with the services’ state', async () => {
    const admin = await t.login(t.admin.username, t.admin.password, 'admin')
    const r = await t.call('GET', '/stackling/v1/health', { token: admin })
    assert.equal(r.status, 200, r.text)
    const ids = (r.body.health.checks as { id: string; status: string; advice: string[] }[]).map((c) => c.id)
    assert.deepEqual(ids, ['node', 'qemu-system', 'qemu-img', 'accelerator', 'disk', 'memory', 'openstack-cli', 'swift-cli'])
    assert.equal(r.body.health.dataDir, t.dataDir)
    assert.equal(typeof r.body.health.ok, 'boolean')
    assert.deepEqual(r.body.health.services, [{ type: 'compute', state: 'up' }])
  })
})
