import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startInProcessCloud, type TestCloud } from '../cloud/testing/test-cloud'
import { countActiveServers, RunningInstancesMonitor } from './running-instances'

// The tray's count against a real cloud (fake hypervisor): the local admin session sees every project's servers.
describe('running instances, counted over the API of a real cloud', () => {
  let t: TestCloud
  let work: string
  let imageId: string

  const waitFor = async (token: string, id: string, status: string) => {
    for (let i = 0; i < 400; i++) {
      const r = await t.call('GET', `/compute/v2.1/servers/${id}`, { token })
      if (r.body?.server?.status === status && !r.body.server['OS-EXT-STS:task_state']) return
      await new Promise((res) => setTimeout(res, 25))
    }
    throw new Error(`server ${id} never reached ${status}`)
  }
  const boot = async (token: string, name: string): Promise<string> => {
    const r = await t.call('POST', '/compute/v2.1/servers', { token, body: { server: { name, imageRef: imageId, flavorRef: '42', networks: 'none' } } })
    assert.equal(r.status, 202, r.text)
    await waitFor(token, r.body.server.id, 'ACTIVE')
    return r.body.server.id
  }

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-tray-'))
    execFileSync('qemu-img', ['create', '-f', 'qcow2', path.join(work, 'base.qcow2'), '64M'], { stdio: 'ignore' })
    const admin = await t.login(t.admin.username, t.admin.password, 'admin')
    const img = (await t.call('POST', '/image/v2/images', { token: admin, body: { name: 'base', disk_format: 'qcow2', container_format: 'bare', visibility: 'public' } })).body
    await fetch(`${t.url}/image/v2/images/${img.id}/file`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': admin, 'Content-Type': 'application/octet-stream' },
      body: readFileSync(path.join(work, 'base.qcow2')),
    })
    imageId = img.id
  })
  after(async () => {
    await t?.close()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  it('counts ACTIVE servers of every project, and follows a stop', async () => {
    const session = await t.cloud.localAdminSession()
    assert.equal(await countActiveServers(t.url, session.token, fetch), 0)

    const demo = await t.login(t.demo.username, t.demo.password, 'demo')
    const admin = await t.login(t.admin.username, t.admin.password, 'admin')
    const a = await boot(demo, 'demo-1')
    await boot(demo, 'demo-2')
    await boot(admin, 'admin-1')
    assert.equal(await countActiveServers(t.url, session.token, fetch), 3)

    assert.equal((await t.call('POST', `/compute/v2.1/servers/${a}/action`, { token: demo, body: { 'os-stop': null } })).status, 202)
    await waitFor(demo, a, 'SHUTOFF')

    const reports: (number | undefined)[] = []
    const monitor = new RunningInstancesMonitor({ cloudUrl: t.url, session: () => t.cloud.localAdminSession(), onChange: (n) => void reports.push(n), intervalMs: 60_000 })
    try {
      await monitor.refresh()
    } finally {
      monitor.dispose()
    }
    assert.deepEqual(reports, [2])
  })
})
