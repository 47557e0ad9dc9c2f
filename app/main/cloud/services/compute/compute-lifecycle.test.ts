import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startCloud } from '../../start-cloud'
import { FakeHost } from '../../drivers/hypervisor/fake/fake-driver'
import { passwordLogin } from '../../testing/password-login'

/** What happens to running guests when the cloud stops, per the onQuit setting (fake driver: state is inspectable). */
describe('guests when the cloud quits', () => {
  const bootOne = async (onQuit: 'stop' | 'keep') => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stackling-quit-'))
    const cloud = await startCloud({ dataDir, port: 0, config: { hypervisor: 'fake', onQuit, guestImageDir: undefined } })
    const creds = JSON.parse(readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'))
    const token = await passwordLogin(cloud.url, 'admin', creds.admin.password, 'admin')
    const h = { 'X-Auth-Token': token, 'Content-Type': 'application/json' }
    execFileSync('qemu-img', ['create', '-f', 'qcow2', path.join(dataDir, 'b.qcow2'), '16M'])
    const img = (await (await fetch(`${cloud.url}/image/v2/images`, { method: 'POST', headers: h, body: JSON.stringify({ name: 'b', disk_format: 'qcow2', container_format: 'bare' }) })).json()) as { id: string }
    await fetch(`${cloud.url}/image/v2/images/${img.id}/file`, { method: 'PUT', headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream' }, body: readFileSync(path.join(dataDir, 'b.qcow2')) })
    const s = (await (await fetch(`${cloud.url}/compute/v2.1/servers`, { method: 'POST', headers: h, body: JSON.stringify({ server: { name: 'q', imageRef: img.id, flavorRef: '42' } }) })).json()) as { server: { id: string } }
    for (let i = 0; i < 100; i++) {
      const st = ((await (await fetch(`${cloud.url}/compute/v2.1/servers/${s.server.id}`, { headers: h })).json()) as { server: { status: string } }).server.status
      if (st === 'ACTIVE') break
      await new Promise((r) => setTimeout(r, 20))
    }
    return { dataDir, cloud, id: s.server.id, h }
  }

  it('shuts running guests down by default and records them SHUTOFF', async () => {
    const { dataDir, cloud, id, h } = await bootOne('stop')
    await cloud.stop()
    assert.equal(FakeHost.for(dataDir).guests.get(id)?.state, 'shutdown')
    const again = await startCloud({ dataDir, port: 0, config: { hypervisor: 'fake', guestImageDir: undefined } })
    const st = ((await (await fetch(`${again.url}/compute/v2.1/servers/${id}`, { headers: h })).json()) as { server: { status: string } }).server.status
    assert.equal(st, 'SHUTOFF')
    await again.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('keeps them running with onQuit keep, and the next start adopts them ACTIVE', async () => {
    const { dataDir, cloud, id, h } = await bootOne('keep')
    await cloud.stop()
    assert.equal(FakeHost.for(dataDir).guests.get(id)?.state, 'running')
    const again = await startCloud({ dataDir, port: 0, config: { hypervisor: 'fake', onQuit: 'stop', guestImageDir: undefined } })
    const st = ((await (await fetch(`${again.url}/compute/v2.1/servers/${id}`, { headers: h })).json()) as { server: { status: string } }).server.status
    assert.equal(st, 'ACTIVE')
    await again.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })
})
