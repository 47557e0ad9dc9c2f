import { after, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { AuthContext } from '../../platform/auth-context'
import { Database } from '../../platform/db/database'
import { migrate } from '../../platform/db/migrations'
import { Conflict } from '../../platform/errors'
import { Logger } from '../../platform/log'
import { FakeDriver } from '../../drivers/hypervisor/fake/fake-driver'
import { DriverError } from '../../drivers/hypervisor/hypervisor-driver'
import type { ImageClient, ImageInfo, NetworkClient, VolumeClient, VolumeInfo } from '../clients'
import { parseBlockDeviceMapping } from './api/servers.routes'
import { ComputeManager, type CreateServerRequest } from './compute-manager'
import { ComputeRepository } from './compute-repository'
import { InstanceInvalidState, VolumeNotFound, VolumeOperationFailed } from './errors'
import { COMPUTE_MIGRATIONS } from './migrations'
import type { Instance } from './models'

const ctxOf = (projectId: string, roles = ['member', 'reader']): AuthContext =>
  ({ userId: `u-${projectId}`, userName: 'u', userDomainId: 'default', userDomainName: 'Default', projectId, roles, roleRefs: [], methods: ['password'], expiresAt: new Date(Date.now() + 3600_000), issuedAt: new Date(), auditIds: [] }) as AuthContext

/**
 * A volume service in memory that keeps Cinder's attach state machine (available → reserved → in-use → detaching →
 * available) and refuses a wrong transition with a 409, as the real one does in its transaction.
 */
class StubVolumes implements VolumeClient {
  readonly vols = new Map<string, VolumeInfo>()
  readonly calls: { method: string; args: unknown[] }[] = []
  constructor(private readonly dir: string) {}

  add(projectId: string, extra: Partial<VolumeInfo> = {}): VolumeInfo {
    const id = randomUUID()
    const file = path.join(this.dir, `volume-${id}.raw`)
    writeFileSync(file, '')
    const v: VolumeInfo = { id, project_id: projectId, name: '', size: 1, status: 'available', bootable: false, file, format: 'raw', attachments: [], image_metadata: {}, ...extra }
    this.vols.set(id, v)
    return v
  }
  private rec(method: string, ...args: unknown[]) {
    this.calls.push({ method, args })
  }
  private must(id: string, from: string[]): VolumeInfo {
    const v = this.vols.get(id)
    if (!v) throw new Conflict(`volume ${id} is gone`)
    if (!from.includes(v.status)) throw new Conflict(`Invalid volume: volume ${id} is ${v.status}, not ${from.join('/')}`)
    return v
  }
  async get(ctx: AuthContext, id: string) {
    const v = this.vols.get(id)
    return v && (v.project_id === ctx.projectId || ctx.roles.includes('admin')) ? structuredClone(v) : undefined
  }
  async reserve(ctx: AuthContext, id: string, serverId: string) {
    this.rec('reserve', id, serverId)
    if (!(await this.get(ctx, id))) throw new Conflict('not visible')
    const v = this.must(id, ['available'])
    v.status = 'reserved'
    const attachment_id = randomUUID()
    v.attachments.push({ attachment_id, server_id: serverId, device: null })
    return attachment_id
  }
  async completeAttach(id: string, attachmentId: string, device: string) {
    this.rec('completeAttach', id, attachmentId, device)
    const v = this.must(id, ['reserved'])
    v.status = 'in-use'
    v.attachments.find((a) => a.attachment_id === attachmentId)!.device = device
    return structuredClone(v)
  }
  async unreserve(id: string, attachmentId: string) {
    this.rec('unreserve', id, attachmentId)
    const v = this.must(id, ['reserved'])
    v.status = 'available'
    v.attachments = v.attachments.filter((a) => a.attachment_id !== attachmentId)
  }
  async beginDetaching(id: string, attachmentId: string) {
    this.rec('beginDetaching', id, attachmentId)
    this.must(id, ['in-use']).status = 'detaching'
  }
  async rollDetaching(id: string, attachmentId: string) {
    this.rec('rollDetaching', id, attachmentId)
    this.must(id, ['detaching']).status = 'in-use'
  }
  async completeDetach(id: string, attachmentId: string) {
    this.rec('completeDetach', id, attachmentId)
    const v = this.must(id, ['detaching'])
    v.status = 'available'
    v.attachments = v.attachments.filter((a) => a.attachment_id !== attachmentId)
  }
  async attachmentsOfServer(serverId: string) {
    return [...this.vols.values()].flatMap((v) => v.attachments.filter((a) => a.server_id === serverId).map((a) => ({ volume_id: v.id, attachment_id: a.attachment_id, device: a.device })))
  }
  async createFromImage(ctx: AuthContext, fields: { image_id: string; size: number; name: string }) {
    this.rec('createFromImage', ctx.projectId, fields)
    return structuredClone(this.add(ctx.projectId!, { size: fields.size, bootable: true, image_metadata: { image_id: fields.image_id, hw_rng_model: 'virtio' } }))
  }
  async deleteVolume(id: string) {
    this.rec('deleteVolume', id)
    this.must(id, ['available'])
    this.vols.delete(id)
  }
}

describe('compute and block storage (stub volume service, fake hypervisor)', () => {
  let dir: string
  let db: Database
  let repo: ComputeRepository
  let driver: FakeDriver
  let volumes: StubVolumes
  let manager: ComputeManager
  let image: ImageInfo
  const p1 = ctxOf('p1')
  const p2 = ctxOf('p2')
  const flavor = { id: '42', name: 'm1.nano', vcpus: 1, ram: 64, disk: 1, ephemeral: 0, swap: 0, rxtx_factor: 1, is_public: true, description: null, extra_specs: {} }
  const network = { nicBackend: () => ({ type: 'none' }) } as unknown as NetworkClient
  const images = () => ({ get: async () => image, hold: async () => undefined, release: async () => undefined }) as unknown as ImageClient
  const newManager = (d: FakeDriver) => new ComputeManager(repo, d, images(), () => network as never, dir, new Logger(undefined), 'keep', () => ({}), () => volumes)

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stk-compute-vol-'))
    db = await Database.open(path.join(dir, 'test.db'))
    await migrate(db, COMPUTE_MIGRATIONS)
    repo = new ComputeRepository(db)
    writeFileSync(path.join(dir, 'base.img'), 'x')
    image = { id: randomUUID(), name: 'base', status: 'active', owner: 'p1', disk_format: 'raw', min_disk: 0, min_ram: 0, size: 1, virtual_size: 1, properties: {}, file: path.join(dir, 'base.img') }
  })
  after(async () => {
    await manager?.stop()
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })
  beforeEach(async () => {
    if (manager) await manager.stop()
    volumes = new StubVolumes(dir)
    driver = new FakeDriver({ dataDir: path.join(dir, randomUUID()) })
    manager = newManager(driver)
    manager.start()
    await manager.ready
  })

  const request = (over: Partial<CreateServerRequest> = {}): CreateServerRequest => ({
    name: 'vm',
    image,
    flavor,
    keyName: null,
    keyData: null,
    userData: null,
    metadata: {},
    configDrive: false,
    networks: 'none',
    availabilityZone: 'nova',
    count: 1,
    ...over,
  })
  const boot = async (over: Partial<CreateServerRequest> = {}, ctx = p1) => {
    const [created] = await manager.create(ctx, request(over), `req-${randomUUID()}`)
    await manager.idle()
    return (await repo.instance(created!.id))!
  }
  const rid = () => `req-${randomUUID()}`
  const remove = async (inst: Instance) => {
    await manager.delete(p1, inst, rid())
    await manager.idle()
  }

  it('attaches a volume to a running instance: reserve → hot-plug → complete with the device the guest sees', async () => {
    const inst = await boot({ configDrive: true })
    const vol = volumes.add('p1')
    const requestId = rid()
    const a = await manager.volumes.attach(p1, inst, vol.id, null, requestId)
    // vda is the root disk, vdb the config drive.
    assert.equal(a.device, '/dev/vdc')
    assert.deepEqual(driver.volumesOf(inst.id), [{ id: vol.id, file: vol.file, format: 'raw' }])
    assert.equal(volumes.vols.get(vol.id)!.status, 'in-use')
    assert.deepEqual(volumes.calls.map((c) => c.method), ['reserve', 'completeAttach'])
    assert.equal(volumes.calls[1]!.args[2], '/dev/vdc')
    assert.deepEqual((await manager.volumeIdsOf([inst])).get(inst.id), [vol.id])
    assert.equal((await repo.action(inst.id, requestId))!.action, 'attach_volume')
    assert.deepEqual((await repo.events(inst.id, requestId)).map((e) => [e.event, e.result]), [['compute_attach_volume', 'Success']])

    const second = volumes.add('p1')
    assert.equal((await manager.volumes.attach(p1, inst, second.id, undefined, rid())).device, '/dev/vdd')
    await manager.volumes.detach(p1, inst, vol.id, rid())
    // The lowest free name again, as Linux's virtio_blk gives a hot-plugged disk.
    const third = volumes.add('p1')
    assert.equal((await manager.volumes.attach(p1, inst, third.id, undefined, rid())).device, '/dev/vdc')
    await remove(inst)
  })

  it('detaches: begin_detaching → unplug → detach; the volume is available again and the record gone', async () => {
    const inst = await boot()
    const vol = volumes.add('p1')
    await manager.volumes.attach(p1, inst, vol.id, null, rid())
    const requestId = rid()
    await manager.volumes.detach(p1, inst, vol.id, requestId)
    assert.deepEqual(driver.volumesOf(inst.id), [])
    assert.equal(volumes.vols.get(vol.id)!.status, 'available')
    assert.deepEqual(volumes.vols.get(vol.id)!.attachments, [])
    assert.deepEqual(await manager.volumes.list(inst.id), [])
    assert.equal((await repo.action(inst.id, requestId))!.action, 'detach_volume')
    await remove(inst)
  })

  it('refuses: another project\'s volume (404), a volume in use (409), a suspended instance (409); the volume is untouched', async () => {
    const inst = await boot()
    const theirs = volumes.add('p2')
    await assert.rejects(manager.volumes.attach(p1, inst, theirs.id, null, rid()), VolumeNotFound)
    const other = await boot({}, p2)
    await manager.volumes.attach(p2, other, theirs.id, null, rid())
    const mine = volumes.add('p1')
    await manager.volumes.attach(p1, inst, mine.id, null, rid())
    await assert.rejects(manager.volumes.attach(p1, inst, mine.id, null, rid()), (e: Error & { status?: number }) => e.status === 409)
    const busy = volumes.add('p1', { status: 'in-use' })
    await assert.rejects(manager.volumes.attach(p1, inst, busy.id, null, rid()), (e: Error & { status?: number }) => e.status === 409)
    await manager.update(inst.id, { vm_state: 'suspended' })
    const fresh = volumes.add('p1')
    await assert.rejects(manager.volumes.attach(p1, inst, fresh.id, null, rid()), InstanceInvalidState)
    await assert.rejects(manager.volumes.detach(p1, inst, mine.id, rid()), InstanceInvalidState)
    assert.equal(volumes.vols.get(fresh.id)!.status, 'available')
    await manager.update(inst.id, { vm_state: 'active' })
    await remove(inst)
    await manager.delete(p2, other, rid())
    await manager.idle()
  })

  it('a hypervisor that cannot plug the disk: the volume is unreserved and the answer says why', async () => {
    const inst = await boot()
    const vol = volumes.add('p1')
    driver.failNext('attachVolume', new DriverError('the guest has no free PCI slot'))
    const requestId = rid()
    await assert.rejects(manager.volumes.attach(p1, inst, vol.id, null, requestId), (e: Error) => e instanceof VolumeOperationFailed && /no free PCI slot/.test(e.message))
    assert.equal(volumes.vols.get(vol.id)!.status, 'available')
    assert.deepEqual(await manager.volumes.list(inst.id), [])
    assert.deepEqual((await repo.events(inst.id, requestId)).map((e) => e.result), ['Error'])
    await remove(inst)
  })

  it('a guest that keeps the disk: the detach is rolled back (in-use, still recorded)', async () => {
    const inst = await boot()
    const vol = volumes.add('p1')
    await manager.volumes.attach(p1, inst, vol.id, null, rid())
    driver.failNext('detachVolume', new DriverError('the guest did not release the disk within 30 s'))
    await assert.rejects(manager.volumes.detach(p1, inst, vol.id, rid()), /did not release/)
    assert.equal(volumes.vols.get(vol.id)!.status, 'in-use')
    assert.equal((await manager.volumes.list(inst.id))[0]!.state, 'attached')
    assert.ok(volumes.calls.some((c) => c.method === 'rollDetaching'))
    await remove(inst)
  })

  it('attaches to a stopped instance (plugged at the next start), and delete detaches every volume', async () => {
    const inst = await boot()
    await driver.powerOff(inst.id, { timeoutMs: 0 })
    await manager.update(inst.id, { vm_state: 'stopped' })
    const vol = volumes.add('p1')
    await manager.volumes.attach(p1, inst, vol.id, null, rid())
    assert.deepEqual(await driver.attachedVolumes(inst.id), [vol.id])
    await remove(inst)
    assert.equal(volumes.vols.get(vol.id)!.status, 'available', 'a data volume survives its instance')
    assert.deepEqual(await manager.volumes.list(inst.id), [])
  })

  it('boots from a new volume made from the image: root disk = the volume file, no flavor disk claimed; kept after delete', async () => {
    const inst = await boot({ bootVolume: { source: 'image', image_id: image.id, size: 2, delete_on_termination: false } })
    assert.equal(inst.vm_state, 'active', JSON.stringify(inst.fault))
    assert.equal(inst.image_id, null)
    const rootId = inst.boot_volume!.volume_id!
    const root = volumes.vols.get(rootId)!
    assert.deepEqual(driver.host.guests.get(inst.id)!.spec.rootDisk, { volume: { id: rootId, file: root.file, format: 'raw' } })
    assert.equal(driver.host.guests.get(inst.id)!.spec.imageProperties?.hw_rng_model, 'virtio', 'the volume image metadata shapes the hardware')
    assert.equal(root.status, 'in-use')
    assert.equal(root.attachments[0]!.device, '/dev/vda')
    assert.deepEqual((await manager.placed()).disk, 0)
    assert.deepEqual((await manager.volumeIdsOf([inst])).get(inst.id), [rootId])
    await assert.rejects(manager.volumes.detach(p1, inst, rootId, rid()), /root device/)
    await remove(inst)
    assert.equal(volumes.vols.get(rootId)?.status, 'available', 'delete_on_termination false keeps the root volume')
  })

  it('boots from the user\'s volume; delete_on_termination deletes it with the instance', async () => {
    const vol = volumes.add('p1', { bootable: true })
    const inst = await boot({ image: undefined, bootVolume: { source: 'volume', volume_id: vol.id, delete_on_termination: true } })
    assert.equal(inst.vm_state, 'active', JSON.stringify(inst.fault))
    assert.deepEqual(driver.host.guests.get(inst.id)!.spec.rootDisk, { volume: { id: vol.id, file: vol.file, format: 'raw' } })
    await remove(inst)
    assert.equal(volumes.vols.has(vol.id), false)
    assert.ok(volumes.calls.some((c) => c.method === 'deleteVolume' && c.args[0] === vol.id))
  })

  it('a failed build from a new volume detaches it and deletes it (delete_on_termination), like Nova\'s _cleanup_volumes', async () => {
    driver.failNext('spawn', new DriverError('QEMU refused to start the guest'))
    const inst = await boot({ bootVolume: { source: 'image', image_id: image.id, size: 1, delete_on_termination: true } })
    assert.equal(inst.vm_state, 'error')
    assert.match(inst.fault!.message, /QEMU refused/)
    const rootId = inst.boot_volume!.volume_id!
    assert.equal(volumes.vols.has(rootId), false)
    assert.deepEqual(await manager.volumes.list(inst.id), [])
    await remove(inst)
  })

  it('refuses a boot volume the caller cannot see or that is in use', async () => {
    const theirs = volumes.add('p2')
    await assert.rejects(manager.create(p1, request({ image: undefined, bootVolume: { source: 'volume', volume_id: theirs.id, delete_on_termination: false } }), rid()), /Can not find requested volume/)
    const busy = volumes.add('p1', { status: 'in-use' })
    await assert.rejects(manager.create(p1, request({ image: undefined, bootVolume: { source: 'volume', volume_id: busy.id, delete_on_termination: false } }), rid()), /status must be 'available'/)
  })

  it('volume extended: the running guest is told the new size', async () => {
    const inst = await boot()
    const vol = volumes.add('p1')
    await manager.volumes.attach(p1, inst, vol.id, null, rid())
    await manager.volumeExtended(inst.id, vol.id, 2 * 1024 ** 3)
    assert.equal(driver.volumeSizesOf(inst.id).get(vol.id), 2 * 1024 ** 3)
    await assert.rejects(manager.volumeExtended(inst.id, randomUUID(), 1), /not attached/)
    await remove(inst)
  })

  it('reconcile after the volume service released an unconfirmed reservation itself: the guest has the disk, so it is attached again', async () => {
    const inst = await boot()
    const v = volumes.add('p1')
    const attachment_id = await volumes.reserve(p1, v.id, inst.id)
    await db.transaction((tx) => repo.insertVolumeAttachment(tx, { volume_id: v.id, instance_id: inst.id, attachment_id, device: '/dev/vdb', state: 'attaching', boot_index: null, delete_on_termination: false, file: v.file, format: 'raw', created_at: new Date().toISOString() }))
    await driver.attachVolume(inst.id, { id: v.id, file: v.file, format: 'raw' })
    // What the volume service's start does with a reservation compute never confirmed.
    await volumes.unreserve(v.id, attachment_id)
    await manager.stop()
    driver = new FakeDriver({ host: driver.host })
    manager = newManager(driver)
    manager.start()
    await manager.ready
    const stored = volumes.vols.get(v.id)!
    assert.equal(stored.status, 'in-use')
    assert.deepEqual(stored.attachments.map((a) => [a.server_id, a.device]), [[inst.id, '/dev/vdb']])
    const [row] = await manager.volumes.list(inst.id)
    assert.deepEqual([row!.state, row!.attachment_id], ['attached', stored.attachments[0]!.attachment_id])
    await remove(inst)
    assert.equal(volumes.vols.get(v.id)!.status, 'available')
  })

  it('reconcile at start: the guest\'s hardware decides an interrupted attach or detach, and stray attachments', async () => {
    const inst = await boot()
    const [plugged, unplugged, detachingKept, detachingGone, theirsOnly, ghost] = Array.from({ length: 6 }, () => volumes.add('p1'))
    // The crash left: reserved + plugged (1), reserved not plugged (2), detaching still plugged (3), detaching
    // unplugged (4), attached only in the volume service and plugged (5), plugged with no record anywhere (6).
    const rec = async (v: VolumeInfo, state: 'attaching' | 'detaching', device: string) => {
      const attachment_id = await volumes.reserve(p1, v.id, inst.id)
      if (state === 'detaching') {
        await volumes.completeAttach(v.id, attachment_id, device)
        await volumes.beginDetaching(v.id, attachment_id)
      }
      await db.transaction((tx) => repo.insertVolumeAttachment(tx, { volume_id: v.id, instance_id: inst.id, attachment_id, device, state, boot_index: null, delete_on_termination: false, file: v.file, format: 'raw', created_at: new Date().toISOString() }))
    }
    await rec(plugged!, 'attaching', '/dev/vdb')
    await rec(unplugged!, 'attaching', '/dev/vdc')
    await rec(detachingKept!, 'detaching', '/dev/vdd')
    await rec(detachingGone!, 'detaching', '/dev/vde')
    const att = await volumes.reserve(p1, theirsOnly!.id, inst.id)
    await volumes.completeAttach(theirsOnly!.id, att, '/dev/vdf')
    for (const v of [plugged!, detachingKept!, theirsOnly!, ghost!]) await driver.attachVolume(inst.id, { id: v.id, file: v.file, format: 'raw' })

    await manager.stop()
    driver = new FakeDriver({ host: driver.host })
    manager = newManager(driver)
    manager.start()
    await manager.ready

    const status = (v: VolumeInfo) => volumes.vols.get(v.id)!.status
    assert.deepEqual([status(plugged!), status(unplugged!), status(detachingKept!), status(detachingGone!), status(theirsOnly!)], ['in-use', 'available', 'in-use', 'available', 'in-use'])
    const rows = await manager.volumes.list(inst.id)
    assert.deepEqual(rows.map((r) => [r.volume_id, r.state, r.device]).sort(), [
      [plugged!.id, 'attached', '/dev/vdb'],
      [detachingKept!.id, 'attached', '/dev/vdd'],
      [theirsOnly!.id, 'attached', '/dev/vdf'],
    ].sort())
    assert.deepEqual((await driver.attachedVolumes(inst.id)).sort(), [plugged!.id, detachingKept!.id, theirsOnly!.id].sort(), 'the disk nobody records was unplugged')
    await remove(inst)
  })
})

describe('block_device_mapping_v2 (2.1)', () => {
  const id = randomUUID()
  it('reads the boot disk: image → local, image → volume with volume_size, volume → volume', () => {
    assert.deepEqual(parseBlockDeviceMapping([{ uuid: id, source_type: 'image', destination_type: 'local', boot_index: 0 }]), { imageRef: id })
    assert.deepEqual(parseBlockDeviceMapping([{ uuid: id, source_type: 'image', destination_type: 'volume', boot_index: '0', volume_size: 2 }]), {
      bootVolume: { source: 'image', image_id: id, size: 2, delete_on_termination: false },
    })
    assert.deepEqual(parseBlockDeviceMapping([{ uuid: id, source_type: 'volume', destination_type: 'volume', boot_index: '0', delete_on_termination: true }]), {
      bootVolume: { source: 'volume', volume_id: id, delete_on_termination: true },
    })
    assert.equal(parseBlockDeviceMapping(undefined), undefined)
  })
  it('refuses what it cannot do, saying what to do instead', () => {
    assert.throws(() => parseBlockDeviceMapping([{ uuid: id, source_type: 'image', destination_type: 'volume', boot_index: 0 }]), /volume_size/)
    assert.throws(() => parseBlockDeviceMapping([{ uuid: id, source_type: 'snapshot', destination_type: 'volume', boot_index: 0 }]), /not supported/)
    assert.throws(() => parseBlockDeviceMapping([{ uuid: id, source_type: 'volume', destination_type: 'volume' }]), /boot_index 0/)
    assert.throws(
      () => parseBlockDeviceMapping([{ uuid: id, source_type: 'volume', destination_type: 'volume', boot_index: 0 }, { source_type: 'blank', destination_type: 'local', boot_index: -1, volume_size: 1 }]),
      /server add volume/,
    )
  })
})
