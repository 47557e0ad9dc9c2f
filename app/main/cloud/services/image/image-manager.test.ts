import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Database } from '../../platform/db/database'
import { migrate } from '../../platform/db/migrations'
import { loadConfig } from '../../platform/config'
import { Logger } from '../../platform/log'
import type { AuthContext } from '../../platform/auth-context'
import { ImageManager } from './image-manager'
import { ImageRepository } from './image-repository'
import { FilesystemStore } from './image-store'
import { ObjectStoreBackend } from './object-store-backend'
import { IMAGE_MIGRATIONS } from './migrations'
import { parseRange } from './api/images.routes'
import { listImages, type ListedImage } from './image-list'
import { applyPatch } from './image-fields'

const ctx = { projectId: 'p1', roles: ['member', 'reader'] } as unknown as AuthContext

describe('ImageManager with a real store and database', () => {
  let dir: string
  let db: Database
  let repo: ImageRepository
  let manager: ImageManager
  let qcow2: string

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-imgmgr-'))
    db = await Database.open(path.join(dir, 'db'))
    await migrate(db, IMAGE_MIGRATIONS)
    repo = new ImageRepository(db)
    manager = new ImageManager(repo, new FilesystemStore(dir), loadConfig({}), new Logger(undefined), new ObjectStoreBackend(() => {
      throw new Error('no object store in this test')
    }, dir))
    qcow2 = path.join(dir, 'src.qcow2')
    execFileSync('qemu-img', ['create', '-f', 'qcow2', qcow2, '8M'])
  })
  after(async () => {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps a deleted image\'s file while an instance holds it, and frees it on the last release', async () => {
    const image = await manager.create(ctx, { name: 'base', disk_format: 'qcow2', container_format: 'bare' })
    const active = await manager.upload(image, createReadStream(qcow2))
    const file = manager.store.path(active.location!)
    await manager.hold(image.id, 'instance-1')
    await manager.hold(image.id, 'volume-1')
    await manager.delete(active)
    assert.equal(await repo.get(image.id), undefined, 'gone from the API')
    assert.ok(existsSync(file), 'file kept for its users')
    await manager.release(image.id, 'instance-1')
    assert.ok(existsSync(file))
    await manager.release(image.id, 'volume-1')
    assert.ok(!existsSync(file), 'freed with the last user')
  })

  it('reconciles after a crash: a saving image goes back to queued, stray and temp files go', async () => {
    const image = await manager.create(ctx, { name: 'crash', disk_format: 'raw', container_format: 'bare' })
    await db.transaction((tx) => repo.transition(tx, image.id, ['queued'], 'saving'))
    writeFileSync(path.join(dir, 'images', '.incoming', 'half.part'), 'half')
    writeFileSync(path.join(dir, 'images', 'orphan-file'), 'no record')
    await manager.reconcile()
    assert.equal((await repo.get(image.id))!.status, 'queued')
    assert.ok(!existsSync(path.join(dir, 'images', '.incoming', 'half.part')))
    assert.ok(!existsSync(path.join(dir, 'images', 'orphan-file')))
  })
})

describe('image list, patch and range helpers', () => {
  const img = (id: string, over: Partial<ListedImage> = {}): ListedImage =>
    ({ id, name: id, status: 'active', visibility: 'private', owner: 'p1', protected: false, os_hidden: false, disk_format: 'qcow2', container_format: 'bare', size: 1, virtual_size: 1, checksum: null, os_hash_algo: null, os_hash_value: null, min_disk: 0, min_ram: 0, location: null, staging: null, tags: [], properties: {}, created_at: id, updated_at: id, member_status: null, ...over }) as ListedImage

  it('hides community images of others and unaccepted shares by default', () => {
    const all = [img('a'), img('b', { owner: 'p2', visibility: 'community' }), img('c', { owner: 'p2', visibility: 'shared', member_status: 'pending' }), img('d', { owner: 'p2', visibility: 'shared', member_status: 'accepted' })]
    assert.deepEqual(listImages(all, new URLSearchParams(), 'p1').page.map((i) => i.id), ['d', 'a'])
    assert.deepEqual(listImages(all, new URLSearchParams('visibility=community'), 'p1').page.map((i) => i.id), ['b'])
    assert.deepEqual(listImages(all, new URLSearchParams('member_status=pending'), 'p1').page.map((i) => i.id), ['c', 'a'])
  })
  it('filters by tag, property and size, sorts, and pages', () => {
    const all = [img('a', { tags: ['x'], size: 10 }), img('b', { properties: { os_distro: 'tiny' }, size: 20 }), img('c', { size: 30 })]
    assert.deepEqual(listImages(all, new URLSearchParams('tag=x'), 'p1').page.map((i) => i.id), ['a'])
    assert.deepEqual(listImages(all, new URLSearchParams('os_distro=tiny'), 'p1').page.map((i) => i.id), ['b'])
    assert.deepEqual(listImages(all, new URLSearchParams('size_min=15&sort=size:asc'), 'p1').page.map((i) => i.id), ['b', 'c'])
    const first = listImages(all, new URLSearchParams('limit=2&sort=name:asc'), 'p1')
    assert.deepEqual([first.page.map((i) => i.id), first.more], [['a', 'b'], true])
    assert.deepEqual(listImages(all, new URLSearchParams('limit=2&sort=name:asc&marker=b'), 'p1').page.map((i) => i.id), ['c'])
  })
  it('applies JSON patches and guards core attributes', () => {
    const base = img('a')
    const next = applyPatch(base, [{ op: 'add', path: '/hw_qemu_guest_agent', value: 'yes' }, { op: 'replace', path: '/tags', value: ['t', 't'] }])
    assert.equal(next.properties.hw_qemu_guest_agent, 'yes')
    assert.deepEqual(next.tags, ['t'])
    assert.throws(() => applyPatch(base, [{ op: 'replace', path: '/size', value: 1 }]), /read-only/)
    assert.throws(() => applyPatch(base, [{ op: 'remove', path: '/name' }]), /cannot be removed/)
    assert.throws(() => applyPatch(base, [{ op: 'replace', path: '/disk_format', value: 'raw' }]), /status queued/)
    assert.throws(() => applyPatch(base, [{ op: 'move', path: '/name' }]), /not supported/)
  })
  it('parses single byte ranges', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 })
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 })
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 })
    assert.deepEqual(parseRange('bytes=50-500', 100), { start: 50, end: 99 })
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable')
    assert.equal(parseRange('bytes=0-1,5-6', 100), undefined)
    assert.equal(parseRange(undefined, 100), undefined)
  })
})
