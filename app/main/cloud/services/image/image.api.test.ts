import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'
import { passwordLogin } from '../../testing/password-login'

const PATCH = 'application/openstack-images-v2.1-json-patch'

describe('image API (Glance v2) with real qemu-img and files', () => {
  let t: TestCloud
  let admin: string
  let demo: string
  let other: string
  let otherProject: string
  let demoProject: string
  let work: string
  let qcow2: Buffer

  const upload = (token: string, id: string, data: Buffer | string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}/image/v2/images/${id}/file`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream', ...headers },
      body: data,
    })
  const create = async (token: string, body: Record<string, unknown>) => {
    const r = await t.call('POST', '/image/v2/images', { token, body: { container_format: 'bare', disk_format: 'qcow2', ...body } })
    assert.equal(r.status, 201, r.text)
    return r.body
  }
  const show = (token: string, id: string) => t.call('GET', `/image/v2/images/${id}`, { token })
  const imageFiles = () => readdirSync(path.join(t.dataDir, 'images')).filter((f) => f !== '.incoming')

  before(async () => {
    t = await startInProcessCloud({ imageQuotaBytes: 8 * 1024 * 1024 })
    admin = await t.login(t.admin.username, t.admin.password, 'admin')
    demo = await t.login(t.demo.username, t.demo.password, 'demo')
    // A second member project.
    const p = (await t.call('POST', '/identity/v3/projects', { token: admin, body: { project: { name: 'other' } } })).body.project
    otherProject = p.id
    const u = (await t.call('POST', '/identity/v3/users', { token: admin, body: { user: { name: 'other', password: 'pw' } } })).body.user
    const member = (await t.call('GET', '/identity/v3/roles?name=member', { token: admin })).body.roles[0]
    await t.call('PUT', `/identity/v3/projects/${p.id}/users/${u.id}/roles/${member.id}`, { token: admin })
    other = await t.login('other', 'pw', 'other')
    demoProject = (await t.call('GET', '/identity/v3/auth/tokens', { token: demo, headers: { 'X-Subject-Token': demo } })).body.token.project.id
    work = mkdtempSync(path.join(os.tmpdir(), 'stackling-img-'))
    execFileSync('qemu-img', ['create', '-f', 'qcow2', path.join(work, 'a.qcow2'), '32M'])
    qcow2 = readFileSync(path.join(work, 'a.qcow2'))
  })
  after(async () => {
    await t.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('answers version discovery with 300 and the info documents', async () => {
    const v = await t.call('GET', '/image')
    assert.equal(v.status, 300)
    assert.equal(v.body.versions[0].status, 'CURRENT')
    const imp = await t.call('GET', '/image/v2/info/import', { token: demo })
    assert.deepEqual(imp.body['import-methods'].value, ['glance-direct', 'web-download'])
    assert.equal((await t.call('GET', '/image/v2/schemas/image', { token: demo })).body.name, 'image')
  })

  it('creates, uploads (queued → active), downloads byte-identical with md5 and sha512, and deletes', async () => {
    const img = await create(demo, { name: 'round', hw_disk_bus: 'virtio', tags: ['a'] })
    assert.equal(img.status, 'queued')
    assert.equal(img.visibility, 'shared')
    assert.equal(img.hw_disk_bus, 'virtio')
    assert.equal(img.size, null)
    assert.equal((await t.call('GET', `/image/v2/images/${img.id}/file`, { token: demo })).status, 204, 'no data yet')
    assert.equal((await upload(demo, img.id, qcow2)).status, 204)
    const shown = (await show(demo, img.id)).body
    assert.equal(shown.status, 'active')
    assert.equal(shown.size, qcow2.length)
    assert.equal(shown.virtual_size, 32 * 1024 * 1024)
    assert.equal(shown.checksum, createHash('md5').update(qcow2).digest('hex'))
    assert.equal(shown.os_hash_algo, 'sha512')
    assert.equal(shown.os_hash_value, createHash('sha512').update(qcow2).digest('hex'))
    const dl = await fetch(`${t.url}/image/v2/images/${img.id}/file`, { headers: { 'X-Auth-Token': demo } })
    assert.equal(dl.status, 200)
    assert.equal(dl.headers.get('content-md5'), shown.checksum)
    assert.ok(Buffer.from(await dl.arrayBuffer()).equals(qcow2))
    const part = await fetch(`${t.url}/image/v2/images/${img.id}/file`, { headers: { 'X-Auth-Token': demo, Range: 'bytes=4-11' } })
    assert.equal(part.status, 206)
    assert.equal(part.headers.get('content-range'), `bytes 4-11/${qcow2.length}`)
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(qcow2.subarray(4, 12)))
    const bad = await fetch(`${t.url}/image/v2/images/${img.id}/file`, { headers: { 'X-Auth-Token': demo, Range: `bytes=${qcow2.length}-` } })
    assert.equal(bad.status, 416)
    assert.equal((await upload(demo, img.id, qcow2)).status, 409, 'an active image takes no more data')
    assert.equal((await t.call('DELETE', `/image/v2/images/${img.id}`, { token: demo })).status, 204)
    assert.equal((await show(demo, img.id)).status, 404)
    assert.ok(!imageFiles().includes(img.id), 'the file is gone')
  })

  it('updates with JSON patch, refuses read-only attributes, and keeps protected images', async () => {
    const img = await create(demo, { name: 'patchy' })
    const patch = (ops: unknown, token = demo) =>
      t.call('PATCH', `/image/v2/images/${img.id}`, { token, body: ops, headers: { 'Content-Type': PATCH } })
    const r = await patch([
      { op: 'replace', path: '/name', value: 'patched' },
      { op: 'add', path: '/os_distro', value: 'cirros' },
      { op: 'add', path: '/protected', value: true },
      { op: 'replace', path: '/min_ram', value: 64 },
    ])
    assert.equal(r.status, 200, r.text)
    assert.equal(r.body.name, 'patched')
    assert.equal(r.body.os_distro, 'cirros')
    assert.equal(r.body.min_ram, 64)
    assert.equal((await patch([{ op: 'replace', path: '/status', value: 'active' }])).status, 403)
    assert.equal((await patch([{ op: 'replace', path: '/min_ram', value: 'lots' }])).status, 400)
    assert.equal((await patch([{ op: 'remove', path: '/nope' }])).status, 409)
    assert.equal((await patch([{ op: 'replace', path: '/visibility', value: 'public' }])).status, 403, 'only admins publish')
    assert.equal((await t.call('PATCH', `/image/v2/images/${img.id}`, { token: demo, body: [] })).status, 415, 'needs the json-patch type')
    assert.equal((await t.call('DELETE', `/image/v2/images/${img.id}`, { token: demo })).status, 403)
    await patch([{ op: 'replace', path: '/protected', value: false }])
    assert.equal((await t.call('PUT', `/image/v2/images/${img.id}/tags/blue`, { token: demo })).status, 204)
    assert.deepEqual((await show(demo, img.id)).body.tags, ['blue'])
    assert.equal((await t.call('DELETE', `/image/v2/images/${img.id}`, { token: demo })).status, 204)
  })

  it('refuses data that is not the declared format, and a qcow2 with a backing file (image killed, no file left)', async () => {
    const before = imageFiles().length
    const lie = await create(demo, { name: 'lie', disk_format: 'qcow2' })
    const r1 = await upload(demo, lie.id, Buffer.alloc(65536, 7))
    assert.equal(r1.status, 400)
    assert.match(((await r1.json()) as { message: string }).message, /does not match the declared disk_format 'qcow2'.*raw/)
    assert.equal((await show(demo, lie.id)).body.status, 'killed')

    execFileSync('qemu-img', ['create', '-f', 'qcow2', '-b', '/etc/passwd', '-F', 'raw', path.join(work, 'evil.qcow2')])
    const evil = await create(demo, { name: 'evil' })
    const r2 = await upload(demo, evil.id, readFileSync(path.join(work, 'evil.qcow2')))
    assert.equal(r2.status, 400)
    assert.match(((await r2.json()) as { message: string }).message, /backing file \(\/etc\/passwd\)/)
    assert.equal(imageFiles().length, before)
    assert.deepEqual(readdirSync(path.join(t.dataDir, 'images', '.incoming')), [])
  })

  it('answers 413 over the project quota and puts the image back to queued', async () => {
    const big = await create(demo, { name: 'big', disk_format: 'raw' })
    const r = await upload(demo, big.id, Buffer.alloc(9 * 1024 * 1024))
    assert.equal(r.status, 413)
    assert.match(((await r.json()) as { message: string }).message, /exceeds the quota/)
    assert.equal((await show(demo, big.id)).body.status, 'queued')
    await t.call('DELETE', `/image/v2/images/${big.id}`, { token: demo })
  })

  it('puts an image whose upload was cut off back to queued with no bytes left behind', async () => {
    const img = await create(demo, { name: 'cut', disk_format: 'raw' })
    const u = new URL(t.url)
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: u.hostname,
        port: u.port,
        method: 'PUT',
        path: `/image/v2/images/${img.id}/file`,
        headers: { 'X-Auth-Token': demo, 'Content-Type': 'application/octet-stream', 'Content-Length': 4 * 1024 * 1024 },
      })
      req.on('error', () => resolve())
      req.write(Buffer.alloc(1024 * 1024))
      setTimeout(() => {
        req.destroy()
        resolve()
      }, 200)
    })
    let status = ''
    for (let i = 0; i < 50 && status !== 'queued'; i++) {
      await new Promise((r) => setTimeout(r, 50))
      status = (await show(demo, img.id)).body.status
    }
    assert.equal(status, 'queued')
    assert.deepEqual(readdirSync(path.join(t.dataDir, 'images', '.incoming')), [])
    assert.ok(!imageFiles().includes(img.id))
  })

  it('isolates projects: private hidden (404), public visible, shared visible after accepting', async () => {
    const priv = await create(demo, { name: 'mine', visibility: 'private' })
    const shared = await create(demo, { name: 'ours', visibility: 'shared' })
    const pub = await create(admin, { name: 'everyone', visibility: 'public' })
    assert.equal((await show(other, priv.id)).status, 404)
    assert.equal((await t.call('DELETE', `/image/v2/images/${priv.id}`, { token: other })).status, 404)
    assert.equal((await show(other, pub.id)).status, 200)
    assert.equal((await t.call('DELETE', `/image/v2/images/${pub.id}`, { token: other })).status, 403, 'visible, not theirs')
    const names = async (token: string, q = '') => ((await t.call('GET', `/image/v2/images${q}`, { token })).body.images as { name: string }[]).map((i) => i.name)
    assert.ok(!(await names(other)).includes('ours'))
    assert.equal((await show(other, shared.id)).status, 404)

    const add = await t.call('POST', `/image/v2/images/${shared.id}/members`, { token: demo, body: { member: otherProject } })
    assert.equal(add.status, 200)
    assert.equal(add.body.status, 'pending')
    assert.equal((await show(other, shared.id)).status, 200, 'a member sees it by id')
    assert.ok(!(await names(other)).includes('ours'), 'but not in lists until it accepts')
    assert.ok((await names(other, '?member_status=pending')).includes('ours'))
    assert.equal((await t.call('PUT', `/image/v2/images/${shared.id}/members/${otherProject}`, { token: demo, body: { status: 'accepted' } })).status, 403, 'only the member decides')
    const acc = await t.call('PUT', `/image/v2/images/${shared.id}/members/${otherProject}`, { token: other, body: { status: 'accepted' } })
    assert.equal(acc.status, 200)
    assert.ok((await names(other)).includes('ours'))
    assert.equal((await t.call('POST', `/image/v2/images/${priv.id}/members`, { token: demo, body: { member: otherProject } })).status, 403, 'private images have no members')
    const members = await t.call('GET', `/image/v2/images/${shared.id}/members`, { token: demo })
    assert.deepEqual(members.body.members.map((m: { member_id: string }) => m.member_id), [otherProject])
    void demoProject
  })

  it('pages with limit and marker and a next link until the end', async () => {
    for (let i = 0; i < 5; i++) await create(other, { name: `page-${i}`, visibility: 'private' })
    const seen: string[] = []
    let next: string | undefined = '/v2/images?limit=2&sort=name:asc&visibility=private'
    let pages = 0
    while (next && pages < 10) {
      const r: { body: { images: { name: string }[]; next?: string } } = await t.call('GET', `/image${next}`, { token: other })
      seen.push(...r.body.images.map((i) => i.name))
      next = r.body.next
      pages++
    }
    assert.deepEqual(seen, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4'])
    assert.equal(pages, 3)
    assert.equal((await t.call('GET', '/image/v2/images?marker=nope', { token: other })).status, 400)
    assert.equal((await t.call('GET', '/image/v2/images?sort=evil:asc', { token: other })).status, 400)
  })

  it('deactivates (admin only), which stops downloads for everyone else', async () => {
    const img = await create(admin, { name: 'deact', visibility: 'public' })
    assert.equal((await upload(admin, img.id, qcow2)).status, 204)
    assert.equal((await t.call('POST', `/image/v2/images/${img.id}/actions/deactivate`, { token: demo })).status, 403)
    assert.equal((await t.call('POST', `/image/v2/images/${img.id}/actions/deactivate`, { token: admin })).status, 204)
    assert.equal((await show(demo, img.id)).body.status, 'deactivated')
    assert.equal((await t.call('GET', `/image/v2/images/${img.id}/file`, { token: demo })).status, 403)
    assert.equal((await t.call('POST', `/image/v2/images/${img.id}/actions/reactivate`, { token: admin })).status, 204)
    assert.equal((await t.call('GET', `/image/v2/images/${img.id}/file`, { token: demo })).status, 200)
  })

  it('imports with glance-direct (stage + import) and web-download', async () => {
    const staged = await create(demo, { name: 'staged' })
    const st = await fetch(`${t.url}/image/v2/images/${staged.id}/stage`, { method: 'PUT', headers: { 'X-Auth-Token': demo, 'Content-Type': 'application/octet-stream' }, body: qcow2 })
    assert.equal(st.status, 204)
    assert.equal((await show(demo, staged.id)).body.status, 'uploading')
    const imp = await t.call('POST', `/image/v2/images/${staged.id}/import`, { token: demo, body: { method: { name: 'glance-direct' } } })
    assert.equal(imp.status, 202)

    const server = http.createServer((_req, res) => res.end(qcow2))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    try {
      const web = await create(demo, { name: 'web' })
      const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/a.qcow2`
      const r = await t.call('POST', `/image/v2/images/${web.id}/import`, { token: demo, body: { method: { name: 'web-download', uri } } })
      assert.equal(r.status, 202)
      for (const id of [staged.id, web.id]) {
        let s = ''
        for (let i = 0; i < 100 && s !== 'active'; i++) {
          await new Promise((res) => setTimeout(res, 50))
          s = (await show(demo, id)).body.status
        }
        assert.equal(s, 'active', id)
        assert.equal((await show(demo, id)).body.checksum, createHash('md5').update(qcow2).digest('hex'))
      }
      const ftp = await create(demo, { name: 'ftp' })
      assert.equal((await t.call('POST', `/image/v2/images/${ftp.id}/import`, { token: demo, body: { method: { name: 'web-download', uri: 'file:///etc/passwd' } } })).status, 400)
    } finally {
      server.close()
    }
  })

  it('validates create bodies and names the attribute', async () => {
    const bad = async (body: unknown, status: number, re: RegExp) => {
      const r = await t.call('POST', '/image/v2/images', { token: demo, body })
      assert.equal(r.status, status, r.text)
      assert.match(r.body.message, re)
    }
    await bad({ name: 'x', disk_format: 'exe' }, 400, /disk_format/)
    await bad({ name: 'x', status: 'active' }, 403, /Attribute 'status' is read-only/)
    await bad({ name: 'x', min_ram: -1 }, 400, /min_ram/)
    await bad({ name: 'x', custom: 5 }, 400, /custom/)
    await bad({ name: 'x', visibility: 'public' }, 403, /publicize_image/)
    assert.equal((await t.call('POST', '/image/v2/images', { token: demo, body: '[' })).status, 400)
    assert.equal((await t.call('GET', '/image/v2/images')).status, 401)
  })
})

describe('the built guest image', () => {
  it('is registered once as the public image stackling-tiny when its build exists', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-guest-'))
    execFileSync('qemu-img', ['create', '-f', 'qcow2', path.join(dir, 'stackling-tiny.qcow2'), '16M'])
    const { writeFileSync } = await import('node:fs')
    writeFileSync(path.join(dir, 'stackling-tiny.json'), JSON.stringify({ recipe_hash: 'abc123', properties: { os_version: 'test' } }))
    const t = await startInProcessCloud({ guestImageDir: dir })
    try {
      const demo = await t.login(t.demo.username, t.demo.password, 'demo')
      const list = (await t.call('GET', '/image/v2/images?name=stackling-tiny', { token: demo })).body.images
      assert.equal(list.length, 1)
      assert.equal(list[0].status, 'active')
      assert.equal(list[0].visibility, 'public')
      assert.equal(list[0].os_version, 'test')
      assert.equal(list[0].hw_architecture, 'x86_64')
      // A restart does not register it again.
      const { startCloud } = await import('../../start-cloud')
      await t.cloud.stop()
      const again = await startCloud({ dataDir: t.dataDir, port: 0, config: { guestImageDir: dir } })
      const tok = await passwordLogin(again.url, 'demo', t.demo.password, 'demo')
      const list2 = (await (await fetch(`${again.url}/image/v2/images?name=stackling-tiny`, { headers: { 'X-Auth-Token': tok } })).json()) as { images: unknown[] }
      assert.equal(list2.images.length, 1)
      await again.stop()
    } finally {
      await t.close().catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
