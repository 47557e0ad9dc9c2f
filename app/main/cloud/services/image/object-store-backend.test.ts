import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { Database } from '../../platform/db/database'
import { migrate } from '../../platform/db/migrations'
import { loadConfig } from '../../platform/config'
import { Logger } from '../../platform/log'
import type { AuthContext } from '../../platform/auth-context'
import type { ObjectStoreClient } from '../clients'
import { ImageManager } from './image-manager'
import { ImageRepository } from './image-repository'
import { FilesystemStore } from './image-store'
import { IMAGE_ACCOUNT, IMAGE_CONTAINER, ObjectStoreBackend } from './object-store-backend'
import { IMAGE_MIGRATIONS } from './migrations'

const ctx = { projectId: 'p1', roles: ['member', 'reader'] } as unknown as AuthContext

/** The object store's internal client, in memory (the real one has its own tests and the API suite uses it). */
class MemoryObjectStore implements ObjectStoreClient {
  readonly objects = new Map<string, Buffer>()
  failPut = false
  private key = (p: string, c: string, n: string) => `${p}/${c}/${n}`
  async ensureContainer(): Promise<void> {}
  async putObject(p: string, c: string, n: string, source: Readable, opts: { size?: number } = {}) {
    const chunks: Buffer[] = []
    for await (const ch of source) chunks.push(ch as Buffer)
    if (this.failPut) throw new Error('object store unavailable')
    const data = Buffer.concat(chunks)
    if (opts.size !== undefined && opts.size !== data.length) throw new Error('size mismatch')
    this.objects.set(this.key(p, c, n), data)
    return { etag: createHash('md5').update(data).digest('hex'), size: data.length }
  }
  async getObject(p: string, c: string, n: string) {
    const data = this.objects.get(this.key(p, c, n))
    if (!data) return undefined
    return { size: data.length, etag: createHash('md5').update(data).digest('hex'), contentType: 'application/octet-stream', open: () => Readable.from([data]) }
  }
  async deleteObject(p: string, c: string, n: string): Promise<void> {
    this.objects.delete(this.key(p, c, n))
  }
  async listObjects(p: string, c: string) {
    const prefix = `${p}/${c}/`
    return [...this.objects.entries()].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => ({ name: k.slice(prefix.length), size: v.length, etag: '' }))
  }
}

describe('ImageManager with the object store backend', () => {
  let dir: string
  let db: Database
  let repo: ImageRepository
  let manager: ImageManager
  let objects: MemoryObjectStore
  let backend: ObjectStoreBackend
  let qcow2: string
  const key = (id: string) => `${IMAGE_ACCOUNT}/${IMAGE_CONTAINER}/${id}`

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-imgobj-unit-'))
    db = await Database.open(path.join(dir, 'db'))
    await migrate(db, IMAGE_MIGRATIONS)
    repo = new ImageRepository(db)
    objects = new MemoryObjectStore()
    backend = new ObjectStoreBackend(() => objects, dir)
    manager = new ImageManager(repo, new FilesystemStore(dir), loadConfig({ imageStore: 'object-store' }, {}), new Logger(undefined), backend)
    qcow2 = path.join(dir, 'src.qcow2')
    execFileSync('qemu-img', ['create', '-f', 'qcow2', qcow2, '8M'])
  })
  after(async () => {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('goes back to queued, with no object and no temp file, when the object store refuses the data', async () => {
    const image = await manager.create(ctx, { name: 'refused', disk_format: 'qcow2', container_format: 'bare' })
    objects.failPut = true
    await assert.rejects(manager.upload(image, createReadStream(qcow2)), /unavailable/)
    objects.failPut = false
    const after = (await repo.get(image.id))!
    assert.equal(after.status, 'queued')
    assert.equal(after.location, null)
    assert.equal(objects.objects.has(key(image.id)), false)
    assert.deepEqual(readdirSync(path.join(dir, 'images', '.incoming')), [])
    // And a retry succeeds.
    const active = await manager.upload(after, createReadStream(qcow2))
    assert.equal(active.status, 'active')
    assert.ok(objects.objects.has(key(image.id)))
  })

  it('refuses a cached copy whose bytes are not the image (md5), leaving no file; a good one is cached once', async () => {
    const image = await manager.create(ctx, { name: 'cache', disk_format: 'qcow2', container_format: 'bare' })
    const active = await manager.upload(image, createReadStream(qcow2))
    const good = objects.objects.get(key(image.id))!
    const bad = Buffer.from(good)
    bad[bad.length - 1] ^= 0xff
    objects.objects.set(key(image.id), bad)
    await assert.rejects(manager.dataFile(active), /not its data/)
    assert.deepEqual(readdirSync(backend.cacheDir), [], 'no cache file, no temp file')
    objects.objects.set(key(image.id), good)
    const [a, b] = await Promise.all([manager.dataFile(active), manager.dataFile(active)])
    assert.equal(a, b)
    assert.equal(a, backend.cachePath(image.id))
    assert.ok(existsSync(a!))
  })

  it('reconciles after a crash: saving → queued, and objects and cached copies no record names go', async () => {
    const kept = await manager.upload(await manager.create(ctx, { name: 'kept', disk_format: 'qcow2', container_format: 'bare' }), createReadStream(qcow2))
    await manager.dataFile(kept)
    const saving = await manager.create(ctx, { name: 'crashed', disk_format: 'qcow2', container_format: 'bare' })
    await db.transaction((tx) => repo.transition(tx, saving.id, ['queued'], 'saving'))
    // The crash came after the object was committed but before the record pointed to it.
    objects.objects.set(key(saving.id), Buffer.from('orphan'))
    mkdirSync(backend.cacheDir, { recursive: true })
    writeFileSync(path.join(backend.cacheDir, '.abc.part'), 'partial download')
    writeFileSync(path.join(backend.cacheDir, saving.id), 'stray cache')
    await manager.reconcile()
    assert.equal((await repo.get(saving.id))!.status, 'queued')
    assert.equal(objects.objects.has(key(saving.id)), false, 'the orphan object went')
    assert.ok(objects.objects.has(key(kept.id)), 'the active image kept its object')
    assert.ok(existsSync(backend.cachePath(kept.id)))
    assert.equal(existsSync(path.join(backend.cacheDir, saving.id)), false)
    assert.equal(existsSync(path.join(backend.cacheDir, '.abc.part')), false)
  })
})
