import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadConfig } from '../../platform/config'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'

const SWIFT = '/object-store/v1/AUTH_stackling-images/glance'

/** Glance's multi-store with the `object-store` backend (Glance's swift store), on the fake hypervisor. */
describe('image API: images kept in the object store', () => {
  let t: TestCloud
  let admin: string
  let demo: string
  let demoProject: string
  let work: string
  let qcow2: Buffer

  const upload = (token: string, id: string, data: Buffer, headers: Record<string, string> = {}) =>
    fetch(`${t.url}/image/v2/images/${id}/file`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream', ...headers },
      body: data,
    })
  const create = async (token: string, body: Record<string, unknown> = {}) => {
    const r = await t.call('POST', '/image/v2/images', { token, body: { container_format: 'bare', disk_format: 'qcow2', ...body } })
    assert.equal(r.status, 201, r.text)
    return r.body
  }
  const show = async (token: string, id: string) => (await t.call('GET', `/image/v2/images/${id}`, { token })).body
  const download = async (token: string, id: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${t.url}/image/v2/images/${id}/file`, { headers: { 'X-Auth-Token': token, ...headers } })
    return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) }
  }
  const swiftGet = async (token: string, id: string) => {
    const r = await fetch(`${t.url}${SWIFT}/${id}`, { headers: { 'X-Auth-Token': token } })
    return { status: r.status, body: Buffer.from(await r.arrayBuffer()) }
  }
  const imagesDirFiles = () => readdirSync(path.join(t.dataDir, 'images')).filter((f) => f !== '.incoming' && f !== 'cache')
  const cacheFile = (id: string) => path.join(t.dataDir, 'images', 'cache', id)

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    admin = await t.login(t.admin.username, t.admin.password, 'admin')
    demo = await t.login(t.demo.username, t.demo.password, 'demo')
    demoProject = (await t.call('GET', '/identity/v3/projects?name=demo', { token: admin })).body.projects[0].id
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-imgobj-'))
    execFileSync('qemu-img', ['create', '-f', 'qcow2', path.join(work, 'a.qcow2'), '48M'])
    qcow2 = readFileSync(path.join(work, 'a.qcow2'))
  })
  after(async () => {
    await t.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('lists both stores in /v2/info/stores, file as the default', async () => {
    const r = await t.call('GET', '/image/v2/info/stores', { token: demo })
    assert.equal(r.status, 200)
    assert.deepEqual(
      r.body.stores.map((s: { id: string; default?: boolean }) => [s.id, !!s.default]),
      [
        ['file', true],
        ['object-store', false],
      ],
    )
    assert.equal((await t.call('GET', '/image/v2/info/stores/detail', { token: demo })).status, 403, 'details are for admins')
    const detail = (await t.call('GET', '/image/v2/info/stores/detail', { token: admin })).body.stores
    assert.equal(detail[1].type, 'swift')
    assert.equal(detail[1].properties.account, 'AUTH_stackling-images')
  })

  it('uploads into the object store with X-Image-Meta-Store, downloads byte-identical (and ranges), and delete removes the object', async () => {
    const img = await create(demo, { name: 'in-swift' })
    const put = await upload(demo, img.id, qcow2, { 'X-Image-Meta-Store': 'object-store' })
    assert.equal(put.status, 204, await put.text())
    const shown = await show(demo, img.id)
    assert.equal(shown.status, 'active')
    assert.equal(shown.stores, 'object-store')
    assert.equal(shown.size, qcow2.length)
    assert.equal(shown.virtual_size, 48 * 1024 * 1024, 'inspected by qemu-img')
    assert.equal(shown.checksum, createHash('md5').update(qcow2).digest('hex'))
    assert.equal(shown.os_hash_value, createHash('sha512').update(qcow2).digest('hex'))
    assert.deepEqual(imagesDirFiles(), [], 'no file in the file store')
    assert.equal(readdirSync(path.join(t.dataDir, 'images', '.incoming')).length, 0, 'the temp file is gone')
    assert.equal(existsSync(cacheFile(img.id)), false, 'not cached until something needs the file')

    // The object, through Swift as admin; tenants cannot reach the reserved account.
    const obj = await swiftGet(admin, img.id)
    assert.equal(obj.status, 200)
    assert.ok(obj.body.equals(qcow2))
    assert.equal((await swiftGet(demo, img.id)).status, 403)

    const d = await download(demo, img.id)
    assert.equal(d.status, 200)
    assert.equal(d.headers.get('content-md5'), shown.checksum)
    assert.ok(d.body.equals(qcow2), 'byte-identical')
    const part = await download(demo, img.id, { Range: 'bytes=100-65635' })
    assert.equal(part.status, 206)
    assert.equal(part.headers.get('content-range'), `bytes 100-65635/${qcow2.length}`)
    assert.ok(part.body.equals(qcow2.subarray(100, 65636)))
    const tail = await download(demo, img.id, { Range: 'bytes=-10' })
    assert.ok(tail.body.equals(qcow2.subarray(qcow2.length - 10)))

    assert.equal((await t.call('DELETE', `/image/v2/images/${img.id}`, { token: demo })).status, 204)
    assert.equal((await swiftGet(admin, img.id)).status, 404, 'the object is gone')
  })

  it('refuses an unknown store with 400 and leaves the image queued; the file store still works by header', async () => {
    const img = await create(demo, { name: 'nowhere' })
    const r = await upload(demo, img.id, qcow2, { 'X-Image-Meta-Store': 'ceph' })
    assert.equal(r.status, 400)
    assert.match(await r.text(), /ceph/)
    assert.equal((await show(demo, img.id)).status, 'queued')
    assert.equal((await upload(demo, img.id, qcow2, { 'X-Image-Meta-Store': 'file' })).status, 204)
    const shown = await show(demo, img.id)
    assert.equal(shown.stores, 'file')
    assert.deepEqual(imagesDirFiles(), [img.id])
    assert.equal((await swiftGet(admin, img.id)).status, 404)
    await t.call('DELETE', `/image/v2/images/${img.id}`, { token: demo })
  })

  it('imports staged data (glance-direct) into the store the import names', async () => {
    const img = await create(demo, { name: 'imported' })
    const stage = await fetch(`${t.url}/image/v2/images/${img.id}/stage`, { method: 'PUT', headers: { 'X-Auth-Token': demo, 'Content-Type': 'application/octet-stream' }, body: qcow2 })
    assert.equal(stage.status, 204)
    const imp = await t.call('POST', `/image/v2/images/${img.id}/import`, { token: demo, body: { method: { name: 'glance-direct' } }, headers: { 'X-Image-Meta-Store': 'object-store' } })
    assert.equal(imp.status, 202, imp.text)
    let shown = await show(demo, img.id)
    for (let i = 0; i < 200 && shown.status !== 'active'; i++) {
      await new Promise((res) => setTimeout(res, 25))
      shown = await show(demo, img.id)
    }
    assert.equal(shown.status, 'active')
    assert.equal(shown.stores, 'object-store')
    assert.ok((await swiftGet(admin, img.id)).body.equals(qcow2))
    assert.deepEqual(imagesDirFiles(), [], 'the staged file is gone too')
    await t.call('DELETE', `/image/v2/images/${img.id}`, { token: demo })
  })

  it('boots a server from an object-store image through the local cache, which lives as long as a holder', async () => {
    const img = await create(admin, { name: 'boot-swift', visibility: 'public' })
    assert.equal((await upload(admin, img.id, qcow2, { 'X-Image-Meta-Store': 'object-store' })).status, 204)
    const r = await t.call('POST', '/compute/v2.1/servers', { token: demo, body: { server: { name: 'from-swift', imageRef: img.id, flavorRef: '42' } } })
    assert.equal(r.status, 202, r.text)
    const id = r.body.server.id
    const server = await waitServer(demo, id, 'ACTIVE')
    assert.equal(server.image.id, img.id)
    assert.ok(existsSync(cacheFile(img.id)), 'the cached copy was made for the build')
    assert.ok(readFileSync(cacheFile(img.id)).equals(qcow2))

    // A volume from the same image uses the same cached copy.
    const v = await t.call('POST', `/volume/v3/${demoProject}/volumes`, { token: demo, body: { volume: { name: 'from-swift', imageRef: img.id } } })
    assert.equal(v.status, 202, v.text)
    const vol = await waitVolume(v.body.volume.id, 'available')
    assert.equal(vol.bootable, 'true')

    // Deleted while the server holds it: the object and the cache stay until the server goes.
    assert.equal((await t.call('DELETE', `/image/v2/images/${img.id}`, { token: admin })).status, 204)
    assert.ok(existsSync(cacheFile(img.id)))
    assert.equal((await swiftGet(admin, img.id)).status, 200)
    assert.equal((await t.call('DELETE', `/compute/v2.1/servers/${id}`, { token: demo })).status, 204)
    await waitServer(demo, id, 'DELETED')
    for (let i = 0; i < 100 && existsSync(cacheFile(img.id)); i++) await new Promise((res) => setTimeout(res, 25))
    assert.equal(existsSync(cacheFile(img.id)), false, 'the cache went with the last holder')
    assert.equal((await swiftGet(admin, img.id)).status, 404, 'and the object too')
  })

  const waitServer = async (token: string, id: string, status: string) => {
    for (let i = 0; i < 400; i++) {
      const r = await t.call('GET', `/compute/v2.1/servers/${id}`, { token })
      if (r.status === 404 && status === 'DELETED') return undefined
      if (r.body?.server?.status === status && !r.body.server['OS-EXT-STS:task_state']) return r.body.server
      if (r.body?.server?.status === 'ERROR') throw new Error(`server ${id} failed: ${JSON.stringify(r.body.server.fault)}`)
      await new Promise((res) => setTimeout(res, 25))
    }
    throw new Error(`server ${id} never reached ${status}`)
  }
  const waitVolume = async (id: string, status: string) => {
    for (let i = 0; i < 400; i++) {
      const r = await t.call('GET', `/volume/v3/${demoProject}/volumes/${id}`, { token: demo })
      if (r.body?.volume?.status === status) return r.body.volume
      if (r.body?.volume?.status === 'error') throw new Error(`volume ${id} failed: ${r.text}`)
      await new Promise((res) => setTimeout(res, 25))
    }
    throw new Error(`volume ${id} never reached ${status}`)
  }
})

describe('image API: the imageStore setting', () => {
  it('reads STACKLING_IMAGE_STORE over settings.json over the default (file)', () => {
    assert.equal(loadConfig({}, {}, {}).imageStore, 'file')
    assert.equal(loadConfig({}, {}, { imageStore: 'object-store' }).imageStore, 'object-store')
    assert.equal(loadConfig({}, { STACKLING_IMAGE_STORE: 'file' }, { imageStore: 'object-store' }).imageStore, 'file')
    assert.equal(loadConfig({}, { STACKLING_IMAGE_STORE: 'object-store' }, {}).imageStore, 'object-store')
  })

  it('puts uploads without a header into the object store when it is the default, and says so in /v2/info/stores', async () => {
    const t = await startInProcessCloud({ hypervisor: 'fake', imageStore: 'object-store' })
    const work = mkdtempSync(path.join(os.tmpdir(), 'stackling-imgobj-'))
    try {
      const admin = await t.login(t.admin.username, t.admin.password, 'admin')
      const stores = (await t.call('GET', '/image/v2/info/stores', { token: admin })).body.stores
      assert.deepEqual(stores.filter((s: { default?: boolean }) => s.default).map((s: { id: string }) => s.id), ['object-store'])
      const raw = Buffer.alloc(1024 * 1024, 7)
      const img = (await t.call('POST', '/image/v2/images', { token: admin, body: { name: 'd', disk_format: 'raw', container_format: 'bare' } })).body
      const put = await fetch(`${t.url}/image/v2/images/${img.id}/file`, { method: 'PUT', headers: { 'X-Auth-Token': admin, 'Content-Type': 'application/octet-stream' }, body: raw })
      assert.equal(put.status, 204)
      assert.equal((await t.call('GET', `/image/v2/images/${img.id}`, { token: admin })).body.stores, 'object-store')
      const obj = await fetch(`${t.url}${SWIFT}/${img.id}`, { headers: { 'X-Auth-Token': admin } })
      assert.equal(obj.status, 200)
      assert.ok(Buffer.from(await obj.arrayBuffer()).equals(raw))
    } finally {
      await t.close()
      rmSync(work, { recursive: true, force: true })
    }
  })
})
