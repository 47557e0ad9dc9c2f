import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Database } from '../../platform/db/database'
import { migrate } from '../../platform/db/migrations'
import { Logger } from '../../platform/log'
import type { AuthContext } from '../../platform/auth-context'
import { QemuImgVolumeDriver } from '../../drivers/volume/file/qemu-img-driver'
import type { ComputeClient, ImageClient, ImageInfo } from '../clients'
import { VOLUME_MIGRATIONS } from './migrations'
import { DEFAULT_TYPE_ID, GiB } from './models'
import { createVolumeClient } from './volume-client'
import { VolumeManager } from './volume-manager'
import { now, VolumeRepository } from './volume-repository'

const ctx = (projectId: string, roles = ['member', 'reader']): AuthContext => ({
  userId: `u-${projectId}`,
  userName: 'u',
  userDomainId: 'default',
  userDomainName: 'Default',
  projectId,
  roles,
  roleRefs: [],
  methods: ['password'],
  expiresAt: new Date(Date.now() + 3600_000),
  issuedAt: new Date(),
  auditIds: [],
})

const qemuInfo = (file: string) => JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', file], { encoding: 'utf8' })) as { format: string; 'virtual-size': number }
const qemuIo = (file: string, cmd: string) => execFileSync('qemu-io', ['-f', 'qcow2', '-c', cmd, file], { encoding: 'utf8' })

/** The manager and the VolumeClient compute uses, on a real database and real qemu-img files. */
describe('volume manager and VolumeClient', () => {
  let dir: string
  let db: Database
  let repo: VolumeRepository
  let driver: QemuImgVolumeDriver
  let manager: VolumeManager
  let log: Logger
  const holds = new Set<string>()
  let imageFile: string
  const extended: [string, string, number][] = []
  let computeFails = false
  const image: () => ImageInfo = () => ({
    id: 'img-1',
    name: 'tiny',
    status: 'active',
    owner: 'p1',
    disk_format: 'qcow2',
    min_disk: 0,
    min_ram: 0,
    size: 1,
    virtual_size: 64 * 1024 * 1024,
    properties: { os_distro: 'cirros' },
    file: imageFile,
  })
  const images = {
    get: async (_c: AuthContext, id: string) => (id === 'img-1' ? image() : undefined),
    hold: async (id: string, h: string) => void holds.add(`${id}/${h}`),
    release: async (id: string, h: string) => void holds.delete(`${id}/${h}`),
  } as unknown as ImageClient
  const compute: ComputeClient = {
    volumeExtended: async (s, v, b) => {
      if (computeFails) throw new Error('guest said no')
      extended.push([s, v, b])
    },
    serverExists: async () => true,
  }
  const make = () => new VolumeManager(repo, driver, () => images, () => compute, log, { freeSpaceMarginBytes: 0 })
  const settle = async (id: string, statuses: string[]) => {
    for (let i = 0; i < 400; i++) {
      const v = await repo.volume(id)
      if (v && statuses.includes(v.status)) return v
      if (!v && statuses.includes('gone')) return undefined
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error(`volume ${id} never reached ${statuses}: ${(await repo.volume(id))?.status}`)
  }
  const settleSnap = async (id: string, status: string) => {
    for (let i = 0; i < 400; i++) {
      const s = await repo.snapshot(id)
      if ((s?.status ?? 'gone') === status) return s
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error(`snapshot ${id} never reached ${status}`)
  }

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-volmgr-'))
    imageFile = path.join(dir, 'image.qcow2')
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', imageFile, '64M'])
    qemuIo(imageFile, 'write -P 0x5a 0 1M')
    log = new Logger(path.join(dir, 'log.jsonl'), {})
    db = await Database.open(path.join(dir, 'db.sqlite'))
    await migrate(db, VOLUME_MIGRATIONS)
    repo = new VolumeRepository(db)
    await db.transaction((tx) => repo.insertType(tx, { id: DEFAULT_TYPE_ID, name: '__DEFAULT__', description: null, is_public: true, extra_specs: {}, created_at: now() }))
    driver = new QemuImgVolumeDriver({ dataDir: dir })
    manager = make()
    await manager.reconcile()
  })
  after(async () => {
    await manager.stop()
    await db.close()
    await log.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('attaches and detaches through the VolumeClient, each step checked', async () => {
    const client = createVolumeClient(manager)
    const v = await manager.create(ctx('p1'), { size: 1 })
    await settle(v.id, ['available'])
    assert.equal(await client.get(ctx('p2'), v.id), undefined, 'another project does not see it')
    await assert.rejects(client.reserve(ctx('p2'), v.id, 'srv'), { status: 404 })
    const att = await client.reserve(ctx('p1'), v.id, 'srv-1')
    assert.equal((await repo.volume(v.id))!.status, 'attaching')
    await assert.rejects(client.reserve(ctx('p1'), v.id, 'srv-2'), { status: 409 })
    await assert.rejects(client.beginDetaching(v.id, att), { status: 409 })
    const info = await client.completeAttach(v.id, att, '/dev/vdb')
    assert.equal(info.status, 'in-use')
    assert.deepEqual(info.attachments, [{ attachment_id: att, server_id: 'srv-1', device: '/dev/vdb' }])
    assert.equal(info.format, 'qcow2')
    assert.ok(existsSync(info.file))
    assert.deepEqual(await client.attachmentsOfServer('srv-1'), [{ volume_id: v.id, attachment_id: att, device: '/dev/vdb' }])
    await assert.rejects(manager.delete(v.id), { status: 409 })
    await client.beginDetaching(v.id, att)
    assert.equal((await repo.volume(v.id))!.status, 'detaching')
    await client.rollDetaching(v.id, att)
    assert.equal((await repo.volume(v.id))!.status, 'in-use')
    await client.beginDetaching(v.id, att)
    await client.completeDetach(v.id, att)
    assert.equal((await repo.volume(v.id))!.status, 'available')
    assert.deepEqual(await client.attachmentsOfServer('srv-1'), [])
    // unreserve: an attach that failed
    const att2 = await client.reserve(ctx('p1'), v.id, 'srv-1')
    await client.unreserve(v.id, att2)
    assert.equal((await repo.volume(v.id))!.status, 'available')
    await client.deleteVolume(v.id)
    await settle(v.id, ['gone'])
  })

  it('creates from an image for boot from volume and waits until it is available', async () => {
    const client = createVolumeClient(manager)
    const info = await client.createFromImage(ctx('p1'), { image_id: 'img-1', size: 1, name: 'boot' })
    assert.equal(info.status, 'available')
    assert.equal(info.bootable, true)
    assert.equal(info.image_metadata.image_id, 'img-1')
    assert.equal(info.image_metadata.os_distro, 'cirros')
    assert.equal(qemuInfo(info.file)['virtual-size'], GiB)
    assert.match(qemuIo(info.file, 'read -P 0x5a 0 1M'), /read 1048576/)
    assert.equal(holds.size, 0, 'the image hold is released')
    await manager.delete(info.id)
    await settle(info.id, ['gone'])
  })

  it('extends an in-use volume through compute, and reverts when compute fails', async () => {
    const client = createVolumeClient(manager)
    const v = await manager.create(ctx('p1'), { size: 1 })
    await settle(v.id, ['available'])
    const att = await client.reserve(ctx('p1'), v.id, 'srv-x')
    await client.completeAttach(v.id, att, '/dev/vdc')
    await assert.rejects(manager.extend(v.id, 2, false), { status: 409 })
    await manager.extend(v.id, 2, true)
    const grown = await settle(v.id, ['in-use'])
    assert.equal(grown!.size, 2)
    assert.deepEqual(extended.at(-1), ['srv-x', v.id, 2 * GiB])
    computeFails = true
    await manager.extend(v.id, 3, true)
    const same = await settle(v.id, ['in-use'])
    assert.equal(same!.size, 2)
    computeFails = false
    await client.beginDetaching(v.id, att)
    await client.completeDetach(v.id, att)
    await manager.extend(v.id, 3, false)
    const detached = await settle(v.id, ['available'])
    assert.equal(detached!.size, 3)
    assert.equal(qemuInfo(driver.path(manager.ref(detached!)))['virtual-size'], 3 * GiB)
  })

  it('keeps a snapshot as it was while its volume is written, and volumes from it independent', async () => {
    const v = await manager.create(ctx('p1'), { size: 1 })
    await settle(v.id, ['available'])
    const file = driver.path(manager.ref(v))
    qemuIo(file, 'write -P 0x11 0 1M')
    const s = await manager.createSnapshot(ctx('p1'), { volume_id: v.id })
    await settleSnap(s.id, 'available')
    qemuIo(file, 'write -P 0x22 0 1M')
    const fromSnap = await manager.create(ctx('p1'), { snapshot_id: s.id, size: 2 })
    const built = await settle(fromSnap.id, ['available'])
    const newFile = driver.path(manager.ref(built!))
    assert.match(qemuIo(newFile, 'read -P 0x11 0 1M'), /read 1048576/)
    assert.equal(qemuInfo(newFile)['virtual-size'], 2 * GiB)
    await assert.rejects(manager.delete(v.id), /dependent snapshot/)
    await manager.deleteSnapshot(s.id)
    await settleSnap(s.id, 'gone')
    assert.match(qemuIo(newFile, 'read -P 0x11 0 1M'), /read 1048576/, 'independent of the deleted snapshot')
    await manager.delete(v.id)
    await settle(v.id, ['gone'])
    assert.ok(!existsSync(file))
  })

  it('reconciles after a crash: every record true, no half-written or orphaned file', async () => {
    const mk = async (status: string, opts: { file?: boolean; attach?: string; target?: number; image?: boolean } = {}) => {
      const v = await manager.create(ctx('p1'), { size: 1 })
      await settle(v.id, ['available'])
      if (!opts.file) await driver.delete(manager.ref(v))
      await db.transaction(async (tx) => {
        await repo.updateVolume(tx, v.id, { status: status as never, target_size: opts.target ?? null })
        if (opts.image) await tx.run('UPDATE volume_volumes SET image_id = ? WHERE id = ?', ['img-1', v.id])
        if (opts.attach) {
          await repo.insertAttachment(tx, { id: `${v.id}-a`, volume_id: v.id, server_id: 's', attach_status: opts.attach as never, device: null, mode: 'rw', connector: null, created_at: now(), attached_at: null })
        }
      })
      return v.id
    }
    const creatingDone = await mk('creating', { file: true })
    const creatingCut = await mk('creating', { image: true })
    holds.add(`img-1/volume:${creatingCut}`)
    const deleting = await mk('deleting', { file: true })
    const attaching = await mk('attaching', { file: true, attach: 'attaching' })
    const attached = await mk('attaching', { file: true, attach: 'attached' })
    const detaching = await mk('detaching', { file: true, attach: 'detaching' })
    const extending = await mk('extending', { file: true, target: 5 })
    writeFileSync(path.join(driver.dir, '.volume-x.qcow2.abc.tmp'), 'half')
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(driver.dir, 'volume-orphan-1.qcow2'), '1M'])

    manager = make()
    await manager.reconcile()
    assert.equal((await repo.volume(creatingDone))!.status, 'available')
    assert.equal((await repo.volume(creatingCut))!.status, 'error')
    assert.ok(!holds.has(`img-1/volume:${creatingCut}`), 'the hold of an interrupted create is released')
    await settle(deleting, ['gone'])
    assert.equal((await repo.volume(attaching))!.status, 'available')
    assert.deepEqual(await repo.attachmentsOf(attaching), [])
    assert.equal((await repo.volume(attached))!.status, 'in-use')
    assert.equal((await repo.volume(detaching))!.status, 'in-use')
    assert.equal((await repo.attachmentsOf(detaching))[0]!.attach_status, 'attached')
    const ext = (await repo.volume(extending))!
    assert.equal(ext.status, 'available')
    assert.equal(ext.size, 1, 'the file never grew: the extend is undone')
    const files = readdirSync(driver.dir)
    assert.ok(!files.some((f) => f.endsWith('.tmp')), files.join())
    assert.ok(!files.includes('volume-orphan-1.qcow2'))
    assert.ok(!files.includes(`volume-${deleting}.qcow2`))
  })
})
