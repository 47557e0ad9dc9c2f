import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'

/**
 * os-volume_attachments, the server view's volumes, boot from volume and the volume-extended event over HTTP, on the
 * fake hypervisor and the real volume service (the guests' side is e2e/specs/volume-attach.test.ts).
 */
describe('compute ↔ block storage API (fake hypervisor, real volume service)', () => {
  let t: TestCloud
  let admin: string
  let demo: string
  let other: string
  let demoProject: string
  let imageId: string
  let work: string

  const waitServer = async (id: string, status: string) => {
    for (let i = 0; i < 400; i++) {
      const r = await t.call('GET', `/compute/v2.1/servers/${id}`, { token: demo })
      if (status === 'DELETED' && r.status === 404) return undefined
      if (r.body?.server?.status === status && !r.body.server['OS-EXT-STS:task_state']) return r.body.server
      if (r.body?.server?.status === 'ERROR') throw new Error(`server ${id} ERROR: ${JSON.stringify(r.body.server.fault)}`)
      await new Promise((res) => setTimeout(res, 25))
    }
    throw new Error(`server ${id} never reached ${status}`)
  }
  const vol = (id: string) => t.call('GET', `/volume/v3/${demoProject}/volumes/${id}`, { token: demo })
  const waitVolume = async (id: string, status: string) => {
    for (let i = 0; i < 400; i++) {
      const r = await vol(id)
      if (r.body?.volume?.status === status) return r.body.volume
      await new Promise((res) => setTimeout(res, 25))
    }
    throw new Error(`volume ${id} never became ${status}: ${JSON.stringify((await vol(id)).body)}`)
  }
  const newVolume = async (body: Record<string, unknown> = {}) => {
    const r = await t.call('POST', `/volume/v3/${demoProject}/volumes`, { token: demo, body: { volume: { size: 1, ...body } } })
    assert.equal(r.status, 202, r.text)
    return (await waitVolume(r.body.volume.id, 'available')).id as string
  }
  const boot = async (server: Record<string, unknown>) => {
    const r = await t.call('POST', '/compute/v2.1/servers', { token: demo, body: { server: { name: 'vm', flavorRef: '42', networks: 'none', ...server } } })
    assert.equal(r.status, 202, r.text)
    return waitServer(r.body.server.id, 'ACTIVE')
  }

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    admin = await t.login(t.admin.username, t.admin.password, 'admin')
    demo = await t.login(t.demo.username, t.demo.password, 'demo')
    demoProject = (await t.call('GET', '/identity/v3/projects?name=demo', { token: admin })).body.projects[0].id
    const p = (await t.call('POST', '/identity/v3/projects', { token: admin, body: { project: { name: 'other' } } })).body.project
    const member = ((await t.call('GET', '/identity/v3/roles', { token: admin })).body.roles as { id: string; name: string }[]).find((r) => r.name === 'member')!
    const u = (await t.call('POST', '/identity/v3/users', { token: admin, body: { user: { name: 'other', password: 'pw' } } })).body.user
    await t.call('PUT', `/identity/v3/projects/${p.id}/users/${u.id}/roles/${member.id}`, { token: admin })
    other = await t.login('other', 'pw', 'other')
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-compute-vol-'))
    execFileSync('qemu-img', ['create', '-f', 'qcow2', path.join(work, 'base.qcow2'), '64M'])
    const img = (await t.call('POST', '/image/v2/images', { token: admin, body: { name: 'base', disk_format: 'qcow2', container_format: 'bare', visibility: 'public' } })).body
    await fetch(`${t.url}/image/v2/images/${img.id}/file`, { method: 'PUT', headers: { 'X-Auth-Token': admin, 'Content-Type': 'application/octet-stream' }, body: readFileSync(path.join(work, 'base.qcow2')) })
    imageId = img.id
  })
  after(async () => {
    await t?.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('attaches, lists, shows and detaches (os-volume_attachments at 2.1); the server view lists the volume', async () => {
    const s = await boot({ imageRef: imageId })
    const v = await newVolume()
    const r = await t.call('POST', `/compute/v2.1/servers/${s.id}/os-volume_attachments`, { token: demo, body: { volumeAttachment: { volumeId: v, device: null } } })
    assert.equal(r.status, 200, r.text)
    // vda root, vdb config drive (on by default).
    assert.deepEqual(r.body, { volumeAttachment: { id: v, serverId: s.id, volumeId: v, device: '/dev/vdc' } })
    assert.deepEqual((await t.call('GET', `/compute/v2.1/servers/${s.id}/os-volume_attachments`, { token: demo })).body, { volumeAttachments: [r.body.volumeAttachment] })
    assert.deepEqual((await t.call('GET', `/compute/v2.1/servers/${s.id}/os-volume_attachments/${v}`, { token: demo })).body, r.body)
    assert.deepEqual((await t.call('GET', `/compute/v2.1/servers/${s.id}`, { token: demo })).body.server['os-extended-volumes:volumes_attached'], [{ id: v }])
    const detail = (await t.call('GET', '/compute/v2.1/servers/detail', { token: demo })).body.servers.find((x: { id: string }) => x.id === s.id)
    assert.deepEqual(detail['os-extended-volumes:volumes_attached'], [{ id: v }])
    const volume = await waitVolume(v, 'in-use')
    assert.equal(volume.attachments[0].server_id, s.id)
    assert.equal(volume.attachments[0].device, '/dev/vdc')

    assert.equal((await t.call('DELETE', `/volume/v3/${demoProject}/volumes/${v}`, { token: demo })).status, 409, 'in use: not deleted')
    const again = await t.call('POST', `/compute/v2.1/servers/${s.id}/os-volume_attachments`, { token: demo, body: { volumeAttachment: { volumeId: v } } })
    assert.equal(again.status, 409, again.text)

    const d = await t.call('DELETE', `/compute/v2.1/servers/${s.id}/os-volume_attachments/${v}`, { token: demo })
    assert.equal(d.status, 202, d.text)
    await waitVolume(v, 'available')
    const missing = await t.call('GET', `/compute/v2.1/servers/${s.id}/os-volume_attachments/${v}`, { token: demo })
    assert.equal(missing.status, 404)
    assert.ok(missing.body.itemNotFound)
    const actions = (await t.call('GET', `/compute/v2.1/servers/${s.id}/os-instance-actions`, { token: demo })).body.instanceActions.map((a: { action: string }) => a.action)
    assert.ok(actions.includes('attach_volume') && actions.includes('detach_volume'), JSON.stringify(actions))
    await t.call('DELETE', `/compute/v2.1/servers/${s.id}`, { token: demo })
    await waitServer(s.id, 'DELETED')
  })

  it('another project: the volume is not found (404), and the request body is checked (400)', async () => {
    const v = await newVolume()
    const r = await t.call('POST', '/compute/v2.1/servers', { token: other, body: { server: { name: 'theirs', flavorRef: '42', imageRef: imageId, networks: 'none' } } })
    const theirs = r.body.server.id as string
    const a = await t.call('POST', `/compute/v2.1/servers/${theirs}/os-volume_attachments`, { token: other, body: { volumeAttachment: { volumeId: v } } })
    assert.equal(a.status, 404, a.text)
    assert.match(a.body.itemNotFound.message, /Volume .* could not be found/)
    const bad = await t.call('POST', `/compute/v2.1/servers/${theirs}/os-volume_attachments`, { token: other, body: { volumeAttachment: { volumeId: 'not-a-uuid' } } })
    assert.equal(bad.status, 400)
    await t.call('DELETE', `/compute/v2.1/servers/${theirs}`, { token: other })
  })

  it('boots from a new volume (block_device_mapping_v2 image → volume, empty imageRef) and keeps it after delete', async () => {
    const s = await boot({ imageRef: '', block_device_mapping_v2: [{ boot_index: 0, uuid: imageId, source_type: 'image', destination_type: 'volume', volume_size: 1, delete_on_termination: false }] })
    assert.equal(s.image, '')
    const [root] = s['os-extended-volumes:volumes_attached'] as { id: string }[]
    const v = await waitVolume(root!.id, 'in-use')
    assert.equal(v.attachments[0].device, '/dev/vda')
    // The volume-extended event Cinder sends (admin): compute tells the guest.
    const grow = await t.call('POST', `/volume/v3/${demoProject}/volumes/${root!.id}/action`, { token: demo, body: { 'os-extend': { new_size: 2 } }, headers: { 'OpenStack-API-Version': 'volume 3.42' } })
    assert.equal(grow.status, 202, grow.text)
    assert.equal((await waitVolume(root!.id, 'in-use')).status, 'in-use')
    const ev = await t.call('POST', '/compute/v2.1/os-server-external-events', { token: admin, body: { events: [{ name: 'volume-extended', server_uuid: s.id, tag: root!.id }] } })
    assert.equal(ev.status, 200, ev.text)
    assert.equal(ev.body.events[0].code, 200)
    await t.call('DELETE', `/compute/v2.1/servers/${s.id}`, { token: demo })
    await waitServer(s.id, 'DELETED')
    await waitVolume(root!.id, 'available')

    const again = await boot({ block_device_mapping_v2: [{ boot_index: '0', uuid: root!.id, source_type: 'volume', destination_type: 'volume', delete_on_termination: true }] })
    await t.call('DELETE', `/compute/v2.1/servers/${again.id}`, { token: demo })
    await waitServer(again.id, 'DELETED')
    for (let i = 0; i < 400 && (await vol(root!.id)).status !== 404; i++) await new Promise((res) => setTimeout(res, 25))
    assert.equal((await vol(root!.id)).status, 404, 'delete_on_termination deleted the root volume')
  })

  it('refuses a mapping it cannot do, saying why (400)', async () => {
    const bad = await t.call('POST', '/compute/v2.1/servers', { token: demo, body: { server: { name: 'x', flavorRef: '42', networks: 'none', block_device_mapping_v2: [{ boot_index: 0, uuid: imageId, source_type: 'image', destination_type: 'volume' }] } } })
    assert.equal(bad.status, 400)
    assert.match(bad.body.badRequest.message, /volume_size/)
  })
})
