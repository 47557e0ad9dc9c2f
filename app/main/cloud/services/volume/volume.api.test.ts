import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'

const GiB = 1024 ** 3
const qemuInfo = (file: string) => JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', file], { encoding: 'utf8' })) as { format: string; 'virtual-size': number }

/** The Cinder v3 API in-process (fake hypervisor), on real qemu-img files. */
describe('volume API (Cinder v3)', () => {
  let t: TestCloud
  let admin: string
  let demo: string
  let other: string
  let otherProject = ''
  let demoProject: string
  let adminProject: string
  let work: string
  let imageId: string
  const V = () => `/volume/v3/${demoProject}`
  const mv = (v: string) => ({ 'OpenStack-API-Version': `volume ${v}` })

  const waitVolume = async (token: string, id: string, status: string) => {
    for (let i = 0; i < 500; i++) {
      const r = await t.call('GET', `${V()}/volumes/${id}`, { token })
      if (status === 'gone' && r.status === 404) return undefined
      if (r.body?.volume?.status === status) return r.body.volume
      if (r.body?.volume?.status === 'error' && status !== 'error') throw new Error(`volume ${id} went to error`)
      await new Promise((res) => setTimeout(res, 20))
    }
    throw new Error(`volume ${id} never reached ${status}`)
  }
  const waitSnapshot = async (token: string, id: string, status: string) => {
    for (let i = 0; i < 500; i++) {
      const r = await t.call('GET', `${V()}/snapshots/${id}`, { token })
      if (status === 'gone' && r.status === 404) return undefined
      if (r.body?.snapshot?.status === status) return r.body.snapshot
      await new Promise((res) => setTimeout(res, 20))
    }
    throw new Error(`snapshot ${id} never reached ${status}`)
  }
  const create = async (token: string, body: Record<string, unknown>, headers?: Record<string, string>) => {
    const r = await t.call('POST', `${V()}/volumes`, { token, body: { volume: body }, headers })
    assert.equal(r.status, 202, r.text)
    return r.body.volume
  }
  // Each token goes to its own project's URL, as clients do (another project's URL is a 400 for a member).
  const urlOf = (token: string) => (token === other ? `/volume/v3/${otherProject}` : V())
  const action = (token: string, id: string, body: unknown, headers?: Record<string, string>) => t.call('POST', `${urlOf(token)}/volumes/${id}/action`, { token, body, headers })
  const fileOf = (id: string, ext = 'qcow2') => path.join(t.dataDir, 'volumes', `volume-${id}.${ext}`)

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    admin = await t.login(t.admin.username, t.admin.password, 'admin')
    demo = await t.login(t.demo.username, t.demo.password, 'demo')
    const p = (await t.call('POST', '/identity/v3/projects', { token: admin, body: { project: { name: 'other' } } })).body.project
    const roles = (await t.call('GET', '/identity/v3/roles', { token: admin })).body.roles as { id: string; name: string }[]
    const u = (await t.call('POST', '/identity/v3/users', { token: admin, body: { user: { name: 'other', password: 'pw' } } })).body.user
    await t.call('PUT', `/identity/v3/projects/${p.id}/users/${u.id}/roles/${roles.find((r) => r.name === 'member')!.id}`, { token: admin })
    other = await t.login('other', 'pw', 'other')
    otherProject = p.id
    demoProject = (await t.call('GET', '/identity/v3/projects?name=demo', { token: admin })).body.projects[0].id
    adminProject = (await t.call('GET', '/identity/v3/projects?name=admin', { token: admin })).body.projects[0].id
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-volapi-'))
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(work, 'img.qcow2'), '1536M'])
    const img = (await t.call('POST', '/image/v2/images', { token: admin, body: { name: 'base', disk_format: 'qcow2', container_format: 'bare', visibility: 'public', min_disk: 0 } })).body
    const up = await fetch(`${t.url}/image/v2/images/${img.id}/file`, { method: 'PUT', headers: { 'X-Auth-Token': admin, 'Content-Type': 'application/octet-stream' }, body: readFileSync(path.join(work, 'img.qcow2')) })
    assert.equal(up.status, 204)
    imageId = img.id
  })
  after(async () => {
    await t.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('answers version discovery and negotiates the microversion (406 beyond 3.60)', async () => {
    const root = await t.call('GET', '/volume/')
    assert.equal(root.status, 300)
    assert.equal(root.body.versions[0].version, '3.60')
    assert.equal(root.body.versions[0].min_version, '3.0')
    const r = await t.call('GET', `${V()}/volumes`, { token: demo, headers: mv('3.42') })
    assert.equal(r.status, 200)
    assert.equal(r.headers.get('openstack-api-version'), 'volume 3.42')
    assert.equal((await t.call('GET', `${V()}/volumes`, { token: demo })).headers.get('openstack-api-version'), 'volume 3.0')
    const bad = await t.call('GET', `${V()}/volumes`, { token: demo, headers: mv('3.99') })
    assert.equal(bad.status, 406)
    assert.match(bad.body.notAcceptable.message, /maximum is 3.60/)
    const missing = await t.call('GET', `${V()}/volumes/nope`, { token: demo })
    assert.equal(missing.status, 404)
    assert.equal(missing.body.itemNotFound.message, 'Volume nope could not be found.')
    const unknown = await t.call('GET', `${V()}/group_types`, { token: demo })
    assert.equal(unknown.status, 501)
    assert.match(unknown.body.notImplemented.message, /not implemented/)
  })

  it('creates a blank qcow2 volume with the fields clients need, then shows, updates and deletes it', async () => {
    const v = await create(demo, { size: 1, name: 'data', description: 'd', metadata: { a: '1' } })
    assert.equal(v.status, 'creating')
    assert.deepEqual(v.metadata, { a: '1' })
    assert.equal(v.volume_type, '__DEFAULT__')
    assert.equal(v.bootable, 'false')
    assert.equal(v['os-vol-tenant-attr:tenant_id'], undefined, 'admin-only attribute')
    const ready = await waitVolume(demo, v.id, 'available')
    assert.deepEqual(ready.attachments, [])
    const info = qemuInfo(fileOf(v.id))
    assert.equal(info.format, 'qcow2')
    assert.equal(info['virtual-size'], GiB)
    const asAdmin = (await t.call('GET', `${V()}/volumes/${v.id}`, { token: admin })).body.volume
    assert.equal(asAdmin['os-vol-tenant-attr:tenant_id'], demoProject)
    assert.equal(asAdmin['os-vol-host-attr:host'], 'stackling@qcow2#qcow2')

    const upd = await t.call('PUT', `${V()}/volumes/${v.id}`, { token: demo, body: { volume: { name: 'data2', description: 'changed' } } })
    assert.equal(upd.body.volume.name, 'data2')
    assert.equal((await t.call('POST', `${V()}/volumes/${v.id}/metadata`, { token: demo, body: { metadata: { b: '2' } } })).body.metadata.b, '2')
    assert.deepEqual((await t.call('GET', `${V()}/volumes/${v.id}/metadata`, { token: demo })).body.metadata, { a: '1', b: '2' })
    assert.equal((await t.call('DELETE', `${V()}/volumes/${v.id}/metadata/a`, { token: demo })).status, 200)
    assert.equal((await action(demo, v.id, { 'os-set_bootable': { bootable: true } })).status, 200)
    assert.equal((await t.call('GET', `${V()}/volumes/${v.id}`, { token: demo })).body.volume.bootable, 'true')

    assert.equal((await t.call('DELETE', `${V()}/volumes/${v.id}`, { token: demo })).status, 202)
    await waitVolume(demo, v.id, 'gone')
    assert.ok(!existsSync(fileOf(v.id)))
  })

  it('validates sizes, sources and states', async () => {
    const bad = async (body: Record<string, unknown>, status: number, re: RegExp) => {
      const r = await t.call('POST', `${V()}/volumes`, { token: demo, body: { volume: body } })
      assert.equal(r.status, status, r.text)
      assert.match(r.text, re)
    }
    await bad({ name: 'x' }, 400, /size/)
    await bad({ size: 0 }, 400, /greater than 0/)
    await bad({ size: 'big' }, 400, /integer/)
    await bad({ size: 1, imageRef: 'missing' }, 400, /Invalid image/)
    await bad({ size: 1, imageRef: imageId }, 400, /cannot be smaller than 2GB/)
    await bad({ size: 1, volume_type: 'nope' }, 404, /Volume type nope/)
    await bad({ size: 1, availability_zone: 'mars' }, 400, /Availability zone/)
    await bad({ size: 1, backup_id: 'b' }, 501, /backup restore/)
  })

  it('lists with filters, sorting and limit/marker pagination; another project sees nothing', async () => {
    const ids: string[] = []
    for (const name of ['p-a', 'p-b', 'p-c']) ids.push((await create(demo, { size: 1, name, metadata: { group: 'page' } })).id)
    for (const id of ids) await waitVolume(demo, id, 'available')
    const page1 = (await t.call('GET', `${V()}/volumes/detail?metadata=${encodeURIComponent('{"group": "page"}')}&sort=name:asc&limit=2`, { token: demo })).body
    assert.deepEqual(page1.volumes.map((v: { name: string }) => v.name), ['p-a', 'p-b'])
    assert.ok(page1.volumes_links[0].href.includes('marker='))
    const page2 = (await t.call('GET', `${V()}/volumes/detail?metadata=${encodeURIComponent('{"group": "page"}')}&sort=name:asc&limit=2&marker=${page1.volumes[1].id}`, { token: demo })).body
    assert.deepEqual(page2.volumes.map((v: { name: string }) => v.name), ['p-c'])
    const byName = (await t.call('GET', `${V()}/volumes?name=p-b`, { token: demo })).body.volumes
    assert.deepEqual(byName.map((v: { id: string }) => v.id), [ids[1]])
    const like = (await t.call('GET', `${V()}/volumes/detail?name~=p-&with_count=true`, { token: demo, headers: mv('3.45') })).body
    assert.equal(like.count, 3)
    assert.equal((await t.call('GET', `${V()}/volumes?marker=nope`, { token: demo })).status, 400)

    // Another project: not in its lists, 404 on every call, even with all_tenants.
    assert.deepEqual((await t.call('GET', `/volume/v3/${otherProject}/volumes/detail?all_tenants=1`, { token: other })).body.volumes, [])
    assert.equal((await t.call('GET', `/volume/v3/${otherProject}/volumes/${ids[0]}`, { token: other })).status, 404)
    assert.equal((await t.call('PUT', `/volume/v3/${otherProject}/volumes/${ids[0]}`, { token: other, body: { volume: { name: 'x' } } })).status, 404)
    assert.equal((await t.call('DELETE', `/volume/v3/${otherProject}/volumes/${ids[0]}`, { token: other })).status, 404)
    assert.equal((await action(other, ids[0]!, { 'os-extend': { new_size: 2 } })).status, 404)
    assert.equal((await t.call('POST', `/volume/v3/${otherProject}/volumes`, { token: other, body: { volume: { size: 1, source_volid: ids[0] } } })).status, 404)
    assert.equal((await t.call('POST', `/volume/v3/${otherProject}/snapshots`, { token: other, body: { snapshot: { volume_id: ids[0] } } })).status, 404)
    const att = await t.call('POST', `/volume/v3/${otherProject}/attachments`, { token: other, headers: mv('3.27'), body: { attachment: { volume_uuid: ids[0], instance_uuid: 'srv' } } })
    assert.equal(att.status, 404)
    // The admin sees all projects with all_tenants.
    const all = (await t.call('GET', `/volume/v3/${adminProject}/volumes/detail?all_tenants=1`, { token: admin })).body.volumes
    assert.ok(ids.every((id) => all.some((v: { id: string }) => v.id === id)))
    for (const id of ids) await t.call('DELETE', `${V()}/volumes/${id}`, { token: demo })
  })

  it('creates from an image (qemu-img convert), from a volume, and extends an available volume', async () => {
    const v = await create(demo, { size: 2, imageRef: imageId, name: 'from-image' })
    const ready = await waitVolume(demo, v.id, 'available')
    assert.equal(ready.bootable, 'true')
    assert.equal(ready.volume_image_metadata.image_id, imageId)
    assert.equal(ready.volume_image_metadata.image_name, 'base')
    assert.equal(qemuInfo(fileOf(v.id))['virtual-size'], 2 * GiB)

    const clone = await create(demo, { size: 3, source_volid: v.id })
    const c = await waitVolume(demo, clone.id, 'available')
    assert.equal(c.source_volid, v.id)
    assert.equal(c.bootable, 'true')
    assert.equal(qemuInfo(fileOf(clone.id))['virtual-size'], 3 * GiB)

    assert.equal((await action(demo, v.id, { 'os-extend': { new_size: 2 } })).status, 400, 'not larger')
    assert.equal((await action(demo, v.id, { 'os-extend': { new_size: 4 } })).status, 202)
    const grown = await waitVolume(demo, v.id, 'available')
    assert.equal(grown.size, 4)
    assert.equal(qemuInfo(fileOf(v.id))['virtual-size'], 4 * GiB)
    for (const id of [v.id, clone.id]) await t.call('DELETE', `${V()}/volumes/${id}`, { token: demo })
    for (const id of [v.id, clone.id]) await waitVolume(demo, id, 'gone')
  })

  it('picks the backend by volume type: admins create types, raw volumes are raw files', async () => {
    const body = { volume_type: { name: 'raw', description: 'raw files', extra_specs: { volume_backend_name: 'raw' } } }
    assert.equal((await t.call('POST', `${V()}/types`, { token: demo, body })).status, 403)
    const bad = await t.call('POST', `/volume/v3/${adminProject}/types`, { token: admin, body: { volume_type: { name: 'x', extra_specs: { volume_backend_name: 'ceph' } } } })
    assert.equal(bad.status, 400)
    const type = (await t.call('POST', `/volume/v3/${adminProject}/types`, { token: admin, body })).body.volume_type
    assert.equal(type.name, 'raw')
    assert.equal((await t.call('POST', `/volume/v3/${adminProject}/types`, { token: admin, body })).status, 409)
    const list = (await t.call('GET', `${V()}/types`, { token: demo })).body.volume_types
    assert.deepEqual(list.map((x: { name: string }) => x.name).sort(), ['__DEFAULT__', 'raw'])
    assert.deepEqual(list.find((x: { name: string }) => x.name === 'raw').extra_specs, {}, 'extra specs are for admins')
    const v = await create(demo, { size: 1, volume_type: 'raw' })
    await waitVolume(demo, v.id, 'available')
    assert.equal(qemuInfo(fileOf(v.id, 'img')).format, 'raw')
    assert.equal((await t.call('DELETE', `/volume/v3/${adminProject}/types/${type.id}`, { token: admin })).status, 400, 'in use')
    await t.call('DELETE', `${V()}/volumes/${v.id}`, { token: demo })
    await waitVolume(demo, v.id, 'gone')
    assert.equal((await t.call('DELETE', `/volume/v3/${adminProject}/types/${type.id}`, { token: admin })).status, 202)
    const def = (await t.call('GET', `${V()}/types`, { token: demo })).body.volume_types[0]
    assert.equal((await t.call('DELETE', `/volume/v3/${adminProject}/types/${def.id}`, { token: admin })).status, 400, 'the default type stays')
  })

  it('drives attachments (3.27/3.44) and the legacy attach actions as checked transitions', async () => {
    const v = await create(demo, { size: 1 })
    await waitVolume(demo, v.id, 'available')
    assert.equal((await t.call('GET', `${V()}/attachments`, { token: demo })).status, 404, 'below 3.27')
    const h = mv('3.44')
    const a = (await t.call('POST', `${V()}/attachments`, { token: demo, headers: h, body: { attachment: { volume_uuid: v.id, instance_uuid: 'srv-1', connector: {} } } }))
    // Compute may say the server does not exist (404): then the flow is tested through the legacy actions only.
    if (a.status === 200) {
      assert.equal(a.body.attachment.status, 'reserved')
      assert.equal((await t.call('GET', `${V()}/volumes/${v.id}`, { token: demo })).body.volume.status, 'reserved')
      const id = a.body.attachment.id
      const put = await t.call('PUT', `${V()}/attachments/${id}`, { token: demo, headers: h, body: { attachment: { connector: { host: 'stackling', initiator: 'x' } } } })
      assert.equal(put.body.attachment.status, 'attaching')
      assert.equal(put.body.attachment.connection_info.driver_volume_type, 'stackling_file')
      assert.equal((await t.call('POST', `${V()}/attachments/${id}/action`, { token: demo, headers: h, body: { 'os-complete': {} } })).status, 204)
      const inUse = (await t.call('GET', `${V()}/volumes/${v.id}`, { token: demo })).body.volume
      assert.equal(inUse.status, 'in-use')
      assert.equal(inUse.attachments[0].server_id, 'srv-1')
      const listed = (await t.call('GET', `${V()}/attachments?volume_id=${v.id}`, { token: demo, headers: h })).body.attachments
      assert.deepEqual(listed.map((x: { id: string; status: string }) => [x.id, x.status]), [[id, 'attached']])
      assert.equal((await t.call('DELETE', `${V()}/volumes/${v.id}`, { token: demo })).status, 409)
      assert.equal((await t.call('DELETE', `${V()}/attachments/${id}`, { token: demo, headers: h })).status, 200)
      assert.equal((await t.call('GET', `${V()}/volumes/${v.id}`, { token: demo })).body.volume.status, 'available')
    } else assert.equal(a.status, 404, a.text)

    const st = async () => (await t.call('GET', `${V()}/volumes/${v.id}`, { token: demo })).body.volume.status
    assert.equal((await action(demo, v.id, { 'os-begin_detaching': null })).status, 409)
    assert.equal((await action(demo, v.id, { 'os-reserve': null })).status, 202)
    assert.equal(await st(), 'attaching')
    assert.equal((await action(demo, v.id, { 'os-reserve': null })).status, 409)
    assert.equal((await action(demo, v.id, { 'os-unreserve': null })).status, 202)
    assert.equal(await st(), 'available')
    assert.equal((await action(demo, v.id, { 'os-attach': { instance_uuid: 'srv-2', mountpoint: '/dev/vdb', mode: 'rw' } })).status, 202)
    assert.equal(await st(), 'in-use')
    assert.equal((await action(demo, v.id, { 'os-extend': { new_size: 2 } })).status, 409, 'in-use before 3.42')
    assert.equal((await action(demo, v.id, { 'os-begin_detaching': null })).status, 202)
    assert.equal(await st(), 'detaching')
    assert.equal((await action(demo, v.id, { 'os-roll_detaching': null })).status, 202)
    assert.equal(await st(), 'in-use')
    assert.equal((await action(demo, v.id, { 'os-detach': {} })).status, 202)
    assert.equal(await st(), 'available')
    await t.call('DELETE', `${V()}/volumes/${v.id}`, { token: demo })
  })

  it('takes snapshots, makes volumes from them, and guards deletes (cascade)', async () => {
    const v = await create(demo, { size: 1, name: 'snap-src' })
    await waitVolume(demo, v.id, 'available')
    const s = await t.call('POST', `${V()}/snapshots`, { token: demo, body: { snapshot: { volume_id: v.id, name: 's1', force: false, metadata: {} } } })
    assert.equal(s.status, 202, s.text)
    const snap = await waitSnapshot(demo, s.body.snapshot.id, 'available')
    assert.equal(snap.size, 1)
    assert.equal(snap['os-extended-snapshot-attributes:progress'], '100%')
    assert.ok(existsSync(path.join(t.dataDir, 'volumes', `snapshot-${snap.id}.qcow2`)))
    assert.equal((await t.call('PUT', `${V()}/snapshots/${snap.id}`, { token: demo, body: { snapshot: { name: 's1b' } } })).body.snapshot.name, 's1b')
    assert.deepEqual((await t.call('GET', `${V()}/snapshots/detail?volume_id=${v.id}`, { token: demo })).body.snapshots.map((x: { id: string }) => x.id), [snap.id])
    assert.equal((await t.call('GET', `/volume/v3/${otherProject}/snapshots/${snap.id}`, { token: other })).status, 404)

    const fromSnap = await create(demo, { size: 2, snapshot_id: snap.id })
    const built = await waitVolume(demo, fromSnap.id, 'available')
    assert.equal(built.snapshot_id, snap.id)
    assert.equal(qemuInfo(fileOf(fromSnap.id))['virtual-size'], 2 * GiB)

    const del = await t.call('DELETE', `${V()}/volumes/${v.id}`, { token: demo })
    assert.equal(del.status, 409)
    assert.match(del.body.conflictingRequest.message, /snapshot/)
    assert.equal((await t.call('DELETE', `${V()}/volumes/${v.id}?cascade=true`, { token: demo })).status, 202)
    await waitVolume(demo, v.id, 'gone')
    await waitSnapshot(demo, snap.id, 'gone')
    await t.call('DELETE', `${V()}/volumes/${fromSnap.id}`, { token: demo })
    await waitVolume(demo, fromSnap.id, 'gone')
    assert.deepEqual(readdirSync(path.join(t.dataDir, 'volumes')), [])
  })

  it('backs a volume up to the object store and restores it into a new volume and over an existing one', async () => {
    const v = await create(demo, { size: 1, name: 'to-back-up' })
    await waitVolume(demo, v.id, 'available')
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x6b 0 2M', fileOf(v.id)])
    const r = await t.call('POST', `${V()}/backups`, { token: demo, body: { backup: { volume_id: v.id, name: 'b1' } } })
    if (r.status === 501) {
      // The object store is not in this build: backups say so.
      assert.match(r.body.notImplemented.message, /object store/)
      return
    }
    assert.equal(r.status, 202, r.text)
    const id = r.body.backup.id
    let backup: any
    for (let i = 0; i < 500; i++) {
      backup = (await t.call('GET', `${V()}/backups/${id}`, { token: demo })).body.backup
      if (backup.status !== 'creating') break
      await new Promise((res) => setTimeout(res, 20))
    }
    assert.equal(backup.status, 'available', JSON.stringify(backup))
    assert.equal(backup.size, 1)
    assert.equal(backup.container, 'volumebackups')
    assert.equal((await t.call('GET', `${V()}/volumes/${v.id}`, { token: demo })).body.volume.status, 'available')
    assert.deepEqual((await t.call('GET', `${V()}/backups`, { token: demo })).body.backups.map((b: { id: string }) => b.id), [id])
    assert.equal((await t.call('GET', `/volume/v3/${otherProject}/backups/${id}`, { token: other })).status, 404)
    assert.equal((await t.call('GET', `${V()}/limits`, { token: demo })).body.limits.absolute.totalBackupsUsed, 1)

    const restored = await t.call('POST', `${V()}/backups/${id}/restore`, { token: demo, body: { restore: { name: 'restored' } } })
    assert.equal(restored.status, 202, restored.text)
    const nv = restored.body.restore.volume_id
    const ready = await waitVolume(demo, nv, 'available')
    assert.equal(ready.name, 'restored')
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'read -P 0x6b 0 2M', fileOf(nv)])
    // Over the original, after it changed: it gets its backed-up content back.
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x00 0 2M', fileOf(v.id)])
    assert.equal((await t.call('POST', `${V()}/backups/${id}/restore`, { token: demo, body: { restore: { volume_id: v.id } } })).status, 202)
    await waitVolume(demo, v.id, 'available')
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'read -P 0x6b 0 2M', fileOf(v.id)])

    assert.equal((await t.call('DELETE', `${V()}/backups/${id}`, { token: demo })).status, 202)
    for (let i = 0; i < 500 && (await t.call('GET', `${V()}/backups/${id}`, { token: demo })).status !== 404; i++) await new Promise((res) => setTimeout(res, 20))
    assert.equal((await t.call('GET', `${V()}/backups/${id}`, { token: demo })).status, 404)
    for (const x of [v.id, nv]) await t.call('DELETE', `${V()}/volumes/${x}`, { token: demo })
    for (const x of [v.id, nv]) await waitVolume(demo, x, 'gone')
  })

  it('enforces quotas (413) and shows them with usage, defaults and limits', async () => {
    const q = `/volume/v3/${adminProject}/os-quota-sets/${demoProject}`
    const qd = `${V()}/os-quota-sets/${demoProject}`
    const def = (await t.call('GET', `${qd}/defaults`, { token: demo })).body.quota_set
    assert.equal(def.volumes, 10)
    assert.equal(def.gigabytes, 1000)
    assert.equal(def.volumes___DEFAULT__, -1)
    assert.equal((await t.call('PUT', qd, { token: demo, body: { quota_set: { volumes: 1 } } })).status, 403)
    assert.equal((await t.call('PUT', q, { token: admin, body: { quota_set: { nope: 1 } } })).status, 400)
    const set = await t.call('PUT', q, { token: admin, body: { quota_set: { volumes: 2, gigabytes: 3, snapshots: 1, per_volume_gigabytes: 2 } } })
    assert.equal(set.status, 200, set.text)
    assert.equal(set.body.quota_set.volumes, 2)

    assert.equal((await t.call('POST', `${V()}/volumes`, { token: demo, body: { volume: { size: 3 } } })).status, 413, 'per volume')
    const a = await create(demo, { size: 2 })
    const over = await t.call('POST', `${V()}/volumes`, { token: demo, body: { volume: { size: 2 } } })
    assert.equal(over.status, 413)
    assert.match(over.body.overLimit.message, /gigabytes quota/)
    const b = await create(demo, { size: 1 })
    const third = await t.call('POST', `${V()}/volumes`, { token: demo, body: { volume: { size: 1 } } })
    assert.equal(third.status, 413)
    assert.match(third.body.overLimit.message, /Maximum number of volumes allowed \(2\)/)
    await waitVolume(demo, a.id, 'available')
    await waitVolume(demo, b.id, 'available')
    const snapOver = await t.call('POST', `${V()}/snapshots`, { token: demo, body: { snapshot: { volume_id: b.id } } })
    assert.equal(snapOver.status, 413, 'snapshot gigabytes count too')

    const usage = (await t.call('GET', `${qd}?usage=True`, { token: demo })).body.quota_set
    assert.deepEqual(usage.volumes, { limit: 2, in_use: 2, reserved: 0, allocated: 0 })
    assert.equal(usage.gigabytes.in_use, 3)
    assert.equal(usage.volumes___DEFAULT__.in_use, 2)
    const limits = (await t.call('GET', `${V()}/limits`, { token: demo })).body.limits.absolute
    assert.equal(limits.maxTotalVolumes, 2)
    assert.equal(limits.totalVolumesUsed, 2)
    assert.equal(limits.totalGigabytesUsed, 3)
    assert.equal((await t.call('PUT', q, { token: admin, body: { quota_set: { volumes: 1 } } })).status, 400, 'below usage')
    for (const id of [a.id, b.id]) await t.call('DELETE', `${V()}/volumes/${id}`, { token: demo })
    for (const id of [a.id, b.id]) await waitVolume(demo, id, 'gone')
    assert.equal((await t.call('DELETE', q, { token: admin })).status, 200)
    assert.equal((await t.call('GET', qd, { token: demo })).body.quota_set.volumes, 10)
  })
})

describe('volume API: the host free-space guard', () => {
  it('refuses a create that would leave less than the margin free (413, says why)', async () => {
    const t = await startInProcessCloud({ hypervisor: 'fake', volumeFreeSpaceMarginBytes: 1024 ** 5 })
    try {
      const token = await t.login(t.demo.username, t.demo.password, 'demo')
      const project = (await t.call('GET', '/identity/v3/auth/projects', { token })).body.projects[0].id
      const r = await t.call('POST', `/volume/v3/${project}/volumes`, { token, body: { volume: { size: 1 } } })
      assert.equal(r.status, 413)
      assert.match(r.body.overLimit.message, /Not enough free space on this computer/)
    } finally {
      await t.close()
    }
  })
})
