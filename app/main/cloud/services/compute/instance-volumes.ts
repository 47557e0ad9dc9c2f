import type { AuthContext } from '../../platform/auth-context'
import { BadRequest, Conflict } from '../../platform/errors'
import type { Logger } from '../../platform/log'
import type { DiskAttachment, HypervisorDriver } from '../../drivers/hypervisor/hypervisor-driver'
import type { VolumeClient, VolumeInfo } from '../clients'
import type { ComputeRepository } from './compute-repository'
import { BlockStorageUnavailable, InstanceInvalidState, VolumeNotAttached, VolumeNotFound, VolumeOperationFailed } from './errors'
import type { Instance, VolumeAttachment } from './models'

const now = () => new Date().toISOString()

/** Where an instance may be for a volume to be attached or detached (Nova: ACTIVE, PAUSED, STOPPED; not SUSPENDED). */
const ATTACHABLE: Instance['vm_state'][] = ['active', 'stopped', 'paused']

/** The guest's disk names: vda is the root disk, then the config drive and the ephemeral disk (guest-argv order). */
const DEVICE = /^\/dev\/vd([a-z])$/

/** The disk a driver plugs for an attachment row. */
export const diskOf = (a: Pick<VolumeAttachment, 'volume_id' | 'file' | 'format'>): DiskAttachment => ({ id: a.volume_id, file: a.file, format: a.format })

/**
 * Compute's half of block storage (Nova's compute/api attach_volume + the manager's reserve → connect → complete,
 * begin_detaching → disconnect → detach): volume attachments of instances, boot from volume, and the reconcile of
 * both sides after a crash. The volume service is reached only through its client and checks every state change in
 * its own transaction; compute's table records how far each attach or detach got.
 *
 * Operations on one instance's volumes run one at a time (device names are chosen from what is attached).
 */
export class InstanceVolumes {
  private readonly locks = new Map<string, Promise<unknown>>()

  constructor(
    private readonly repo: ComputeRepository,
    private readonly driver: HypervisorDriver,
    /** The volume client exists once every service is created (undefined in a cloud without block storage). */
    private readonly client: () => VolumeClient | undefined,
    private readonly log: Logger,
  ) {}

  private get volumes(): VolumeClient {
    const c = this.client()
    if (!c) throw new BlockStorageUnavailable()
    return c
  }

  get available(): boolean {
    return !!this.client()
  }

  /** Runs fn after every earlier volume operation on the instance. */
  private serialized<T>(instanceId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(instanceId) ?? Promise.resolve()
    const next = prev.catch(() => undefined).then(fn)
    const tail = next.catch(() => undefined)
    this.locks.set(instanceId, tail)
    void tail.then(() => {
      if (this.locks.get(instanceId) === tail) this.locks.delete(instanceId)
    })
    return next
  }

  /**
   * The next free device of the instance: the lowest letter not taken by the root disk (a), the config drive, the
   * ephemeral disk or another volume — what Linux's virtio_blk gives a hot-plugged disk (lowest free index).
   */
  nextDevice(inst: Instance, attached: VolumeAttachment[], requested?: string | null): string {
    const taken = new Set<string>(['a'])
    let next = 'b'.charCodeAt(0)
    if (inst.config_drive) taken.add(String.fromCharCode(next++))
    if (inst.flavor.ephemeral > 0) taken.add(String.fromCharCode(next++))
    for (const a of attached) {
      const m = DEVICE.exec(a.device)
      if (m) taken.add(m[1]!)
    }
    if (requested) {
      const m = DEVICE.exec(requested) ?? /^(?:\/dev\/)?vd([a-z])$/.exec(requested)
      if (!m) throw new BadRequest(`The supplied device path (${requested}) is invalid.`, 'volumeAttachment/device')
      if (taken.has(m[1]!)) throw new Conflict(`The supplied device path (${requested}) is in use.`)
      return `/dev/vd${m[1]}`
    }
    for (let c = 'b'.charCodeAt(0); c <= 'z'.charCodeAt(0); c++) {
      if (!taken.has(String.fromCharCode(c))) return `/dev/vd${String.fromCharCode(c)}`
    }
    throw new Conflict(`Instance ${inst.id} has no free disk device left (vdb … vdz are taken).`)
  }

  /** A volume ctx may use (create's check of a volume to boot from). */
  async volumeFor(ctx: AuthContext, volumeId: string): Promise<VolumeInfo | undefined> {
    return this.volumes.get(ctx, volumeId)
  }

  async list(instanceId: string): Promise<VolumeAttachment[]> {
    return this.repo.volumeAttachments([instanceId])
  }

  /** @throws VolumeNotAttached */
  async show(inst: Instance, volumeId: string): Promise<VolumeAttachment> {
    const a = await this.repo.volumeAttachment(volumeId)
    if (!a || a.instance_id !== inst.id) throw new VolumeNotAttached(volumeId, inst.id)
    return a
  }

  private async guard(inst: Instance, action: string): Promise<Instance> {
    const cur = (await this.repo.instance(inst.id)) ?? inst
    if (cur.task_state) throw new InstanceInvalidState(action, inst.id, 'task_state', cur.task_state)
    if (!ATTACHABLE.includes(cur.vm_state)) throw new InstanceInvalidState(action, inst.id, 'vm_state', cur.vm_state)
    return cur
  }

  /**
   * os-volume_attachments POST: reserve → hot-plug (or record for the next start of a stopped guest) → complete
   * with the device name. On any failure the volume is unreserved and the record removed; the reason is the error.
   * @throws VolumeNotFound (also another project's volume), 409 (instance state, volume not available), 503
   */
  attach(ctx: AuthContext, inst: Instance, volumeId: string, requestedDevice: string | null | undefined, requestId: string): Promise<VolumeAttachment> {
    return this.serialized(inst.id, async () => {
      // A volume the caller may not see is a 404 whatever the instance's state (it must not learn it exists).
      const vol = await this.volumes.get(ctx, volumeId)
      if (!vol) throw new VolumeNotFound(volumeId)
      const cur = await this.guard(inst, 'attach_volume')
      const existing = await this.repo.volumeAttachment(volumeId)
      if (existing) throw new Conflict(`Volume ${volumeId} is already attached to instance ${existing.instance_id}.`)
      if (vol.status !== 'available') throw new Conflict(`Invalid volume: volume ${volumeId} status must be 'available', it is '${vol.status}'.`)
      const device = this.nextDevice(cur, await this.repo.volumeAttachments([inst.id]), requestedDevice)
      const attachmentId = await this.volumes.reserve(ctx, volumeId, inst.id)
      const row: VolumeAttachment = {
        volume_id: volumeId,
        instance_id: inst.id,
        attachment_id: attachmentId,
        device,
        state: 'attaching',
        boot_index: null,
        delete_on_termination: false,
        file: vol.file,
        format: vol.format,
        created_at: now(),
      }
      try {
        await this.repo.db.transaction(async (tx) => {
          await this.repo.insertVolumeAttachment(tx, row)
          await this.repo.recordAction(tx, { instance_id: inst.id, request_id: requestId, action: 'attach_volume', project_id: inst.project_id, user_id: ctx.userId })
        })
      } catch (err) {
        await this.volumes.unreserve(volumeId, attachmentId).catch(() => undefined)
        throw err
      }
      await this.repo.startEvent(inst.id, requestId, 'compute_attach_volume')
      try {
        await this.driver.attachVolume(inst.id, diskOf(row))
      } catch (err) {
        const message = (err as Error).message
        this.log.warn('attaching a volume failed', { instance_id: inst.id, volume_id: volumeId, error: message })
        await this.volumes.unreserve(volumeId, attachmentId).catch((e: Error) => this.log.warn('unreserve failed', { volume_id: volumeId, error: e.message }))
        await this.repo.db.transaction((tx) => this.repo.deleteVolumeAttachment(tx, volumeId))
        await this.repo.finishEvent(inst.id, requestId, 'compute_attach_volume', 'Error', message)
        throw new VolumeOperationFailed(`Volume ${volumeId} could not be attached to instance ${inst.id}: ${message}`)
      }
      try {
        await this.volumes.completeAttach(volumeId, attachmentId, device)
      } catch (err) {
        // The volume service refused to record it: the guest must not keep a disk nobody accounts for.
        await this.driver.detachVolume(inst.id, volumeId).catch(() => undefined)
        await this.volumes.unreserve(volumeId, attachmentId).catch(() => undefined)
        await this.repo.db.transaction((tx) => this.repo.deleteVolumeAttachment(tx, volumeId))
        await this.repo.finishEvent(inst.id, requestId, 'compute_attach_volume', 'Error', (err as Error).message)
        throw err
      }
      await this.repo.db.transaction((tx) => this.repo.setVolumeAttachmentState(tx, volumeId, 'attached'))
      await this.repo.finishEvent(inst.id, requestId, 'compute_attach_volume', 'Success')
      return { ...row, state: 'attached' }
    })
  }

  /**
   * os-volume_attachments DELETE: begin_detaching → unplug (a running guest must release the disk) → detach. If
   * the guest does not let go, the volume goes back to in-use and the reason is the error.
   * @throws VolumeNotAttached, 400 for the root volume, 409 (instance state, volume state, guest kept the disk)
   */
  detach(ctx: AuthContext, inst: Instance, volumeId: string, requestId: string): Promise<void> {
    return this.serialized(inst.id, async () => {
      const row = await this.show(inst, volumeId)
      if (row.boot_index === 0) throw new BadRequest(`Cannot detach a root device volume (volume ${volumeId} is the root disk of instance ${inst.id}).`)
      await this.guard(inst, 'detach_volume')
      if (row.state !== 'attached') throw new Conflict(`Volume ${volumeId} is ${row.state}: wait until that has finished.`)
      await this.volumes.beginDetaching(volumeId, row.attachment_id)
      await this.repo.db.transaction(async (tx) => {
        await this.repo.setVolumeAttachmentState(tx, volumeId, 'detaching')
        await this.repo.recordAction(tx, { instance_id: inst.id, request_id: requestId, action: 'detach_volume', project_id: inst.project_id, user_id: ctx.userId })
      })
      await this.repo.startEvent(inst.id, requestId, 'compute_detach_volume')
      try {
        await this.driver.detachVolume(inst.id, volumeId)
      } catch (err) {
        const message = (err as Error).message
        this.log.warn('detaching a volume failed', { instance_id: inst.id, volume_id: volumeId, error: message })
        await this.volumes.rollDetaching(volumeId, row.attachment_id).catch((e: Error) => this.log.warn('roll_detaching failed', { volume_id: volumeId, error: e.message }))
        await this.repo.db.transaction((tx) => this.repo.setVolumeAttachmentState(tx, volumeId, 'attached'))
        await this.repo.finishEvent(inst.id, requestId, 'compute_detach_volume', 'Error', message)
        throw new VolumeOperationFailed(`Volume ${volumeId} could not be detached from instance ${inst.id}: ${message}`)
      }
      await this.volumes.completeDetach(volumeId, row.attachment_id)
      await this.repo.db.transaction((tx) => this.repo.deleteVolumeAttachment(tx, volumeId))
      await this.repo.finishEvent(inst.id, requestId, 'compute_detach_volume', 'Success')
    })
  }

  /** Cinder's volume-extended event: the running guest is told the disk's new size. @throws VolumeNotAttached */
  extended(inst: Instance, volumeId: string, bytes: number): Promise<void> {
    return this.serialized(inst.id, async () => {
      await this.show(inst, volumeId)
      await this.driver.resizeVolume(inst.id, volumeId, bytes)
      this.log.info('a volume grew', { instance_id: inst.id, volume_id: volumeId, bytes })
    })
  }

  /** The data volumes for a spawn of the instance (rebuild), in device order. */
  async spawnVolumes(instanceId: string): Promise<DiskAttachment[]> {
    return (await this.repo.volumeAttachments([instanceId])).filter((a) => a.boot_index === null && a.state !== 'detaching').map(diskOf)
  }

  /** The instance's root volume record, if it boots from one. */
  async rootVolume(instanceId: string): Promise<VolumeAttachment | undefined> {
    return (await this.repo.volumeAttachments([instanceId])).find((a) => a.boot_index === 0)
  }

  /**
   * Build of a server that boots from a volume: the volume (made from the image now, counted against ctx's volume
   * quota; or the user's), reserved for the instance and recorded as its root device /dev/vda. The caller spawns,
   * then calls completeRoot. Idempotent per instance: a volume already made is not made again.
   */
  async prepareRoot(ctx: AuthContext, inst: Instance): Promise<{ row: VolumeAttachment; volume: VolumeInfo }> {
    const bv = inst.boot_volume!
    let volume: VolumeInfo | undefined
    if (!bv.volume_id) {
      volume = await this.volumes.createFromImage(ctx, { image_id: bv.image_id!, size: bv.size!, name: '' })
      const boot_volume = { ...bv, volume_id: volume.id }
      await this.repo.db.transaction((tx) => this.repo.updateInstance(tx, inst.id, { boot_volume }))
      inst.boot_volume = boot_volume
    } else {
      volume = await this.volumes.get(ctx, bv.volume_id)
      if (!volume) throw new VolumeNotFound(bv.volume_id)
    }
    const existing = await this.repo.volumeAttachment(volume.id)
    if (existing?.instance_id === inst.id) return { row: existing, volume }
    const attachmentId = await this.volumes.reserve(ctx, volume.id, inst.id)
    const row: VolumeAttachment = {
      volume_id: volume.id,
      instance_id: inst.id,
      attachment_id: attachmentId,
      device: '/dev/vda',
      state: 'attaching',
      boot_index: 0,
      delete_on_termination: bv.delete_on_termination,
      file: volume.file,
      format: volume.format,
      created_at: now(),
    }
    try {
      await this.repo.db.transaction((tx) => this.repo.insertVolumeAttachment(tx, row))
    } catch (err) {
      await this.volumes.unreserve(volume.id, attachmentId).catch(() => undefined)
      throw err
    }
    return { row, volume }
  }

  async completeRoot(row: VolumeAttachment): Promise<void> {
    await this.volumes.completeAttach(row.volume_id, row.attachment_id, row.device)
    await this.repo.db.transaction((tx) => this.repo.setVolumeAttachmentState(tx, row.volume_id, 'attached'))
  }

  /**
   * The instance is gone (its guest destroyed): every volume it had is detached in the volume service (reserved ones
   * unreserved), including attachments only the volume service knows of, and those marked delete_on_termination are
   * deleted; the others are available again. Errors are logged, never thrown: a delete always finishes.
   */
  releaseAll(inst: Instance): Promise<void> {
    // After any attach or detach of the instance still running (its driver call fails once the guest is gone).
    return this.serialized(inst.id, () => this.releaseAllNow(inst))
  }

  private async releaseAllNow(inst: Instance): Promise<void> {
    const rows = await this.repo.volumeAttachments([inst.id])
    const client = this.client()
    if (!client) {
      if (rows.length) this.log.warn('no block storage service: the volumes of a deleted instance stay attached there', { instance_id: inst.id })
      return
    }
    const known = new Map(rows.map((r) => [r.volume_id, r]))
    const theirs = await client.attachmentsOfServer(inst.id).catch((e: Error) => {
      this.log.warn('could not list the volume attachments of an instance', { instance_id: inst.id, error: e.message })
      return []
    })
    for (const a of theirs) {
      if (!known.has(a.volume_id)) known.set(a.volume_id, { volume_id: a.volume_id, attachment_id: a.attachment_id, state: 'attached', delete_on_termination: false } as VolumeAttachment)
    }
    for (const r of known.values()) {
      try {
        await this.release(client, r)
        if (r.delete_on_termination) {
          await client.deleteVolume(r.volume_id)
          this.log.info('deleted a volume with its instance (delete_on_termination)', { instance_id: inst.id, volume_id: r.volume_id })
        }
      } catch (err) {
        this.log.warn('releasing a volume of a deleted instance failed', { instance_id: inst.id, volume_id: r.volume_id, error: (err as Error).message })
      }
      await this.repo.db.transaction((tx) => this.repo.deleteVolumeAttachment(tx, r.volume_id))
    }
  }

  /** Ends an attachment in the volume service whatever its state there: reserved → unreserve; else detach. */
  private async release(client: VolumeClient, r: Pick<VolumeAttachment, 'volume_id' | 'attachment_id' | 'state'>): Promise<void> {
    if (r.state === 'attaching') {
      await client.unreserve(r.volume_id, r.attachment_id)
      return
    }
    if (r.state !== 'detaching') {
      try {
        await client.beginDetaching(r.volume_id, r.attachment_id)
      } catch (err) {
        if ((err as { status?: number }).status !== 409) throw err
        // Only reserved there (a crash before complete): unreserve. Already detaching: completeDetach follows.
        const v = await client.get(adminContext(), r.volume_id).catch(() => undefined)
        if (v?.status === 'attaching' || v?.status === 'reserved') {
          await client.unreserve(r.volume_id, r.attachment_id)
          return
        }
      }
    }
    await client.completeDetach(r.volume_id, r.attachment_id)
  }

  /**
   * At compute start, for an instance whose guest exists (or not: `guestVolumes` undefined): the volume service,
   * compute's records and the guest's hardware are made to agree, and **the guest's hardware is the truth**:
   * - recorded `attaching` (crash before complete): the guest has the disk → complete the attach; else unreserve.
   * - recorded `detaching` (crash before complete): the guest still has it → roll back to in-use; else complete the detach.
   * - recorded `attached` but the guest lacks it → detached in the volume service and the record dropped.
   * - attached in the volume service only: the guest has it → recorded (device from the volume service); else released.
   * - a disk the guest has that neither side knows of → unplugged from the guest.
   * The root volume of a volume-backed instance is the guest's root disk: it stays as long as the instance exists.
   * The volume service reconciles on its own at start (unconfirmed reservations → available, detaching → in-use) and
   * may do so before or after this: every step above reaches the same end from either state.
   */
  async reconcile(inst: Instance): Promise<void> {
    const client = this.client()
    if (!client) return
    let guestVolumes: Set<string> | undefined
    try {
      guestVolumes = new Set(await this.driver.attachedVolumes(inst.id))
    } catch {
      guestVolumes = undefined
    }
    const has = (id: string) => guestVolumes?.has(id) ?? false
    const rows = await this.repo.volumeAttachments([inst.id])
    const theirs = await client.attachmentsOfServer(inst.id)
    const theirIds = new Set(theirs.map((a) => a.volume_id))
    const say = (what: string, volumeId: string) => this.log.warn(`volume reconcile: ${what}`, { instance_id: inst.id, volume_id: volumeId })
    for (const r of rows) {
      try {
        if (r.boot_index === 0) {
          if (r.state === 'attaching') await this.completeRoot(r)
          continue
        }
        if (r.state === 'attaching') {
          if (has(r.volume_id)) {
            try {
              await client.completeAttach(r.volume_id, r.attachment_id, r.device)
            } catch {
              // The volume service's own start already released the reservation compute never confirmed (its rule):
              // reserve the volume again for this instance and complete that.
              const again = await client.reserve(adminContext(), r.volume_id, inst.id)
              await client.completeAttach(r.volume_id, again, r.device)
              await this.repo.db.transaction((tx) => this.repo.setVolumeAttachmentId(tx, r.volume_id, again))
            }
            await this.repo.db.transaction((tx) => this.repo.setVolumeAttachmentState(tx, r.volume_id, 'attached'))
            say('an interrupted attach was completed (the guest has the disk)', r.volume_id)
          } else {
            await client.unreserve(r.volume_id, r.attachment_id).catch(() => undefined)
            await this.repo.db.transaction((tx) => this.repo.deleteVolumeAttachment(tx, r.volume_id))
            say('an interrupted attach was undone (the guest does not have the disk)', r.volume_id)
          }
        } else if (r.state === 'detaching') {
          if (has(r.volume_id)) {
            await client.rollDetaching(r.volume_id, r.attachment_id).catch(() => undefined)
            await this.repo.db.transaction((tx) => this.repo.setVolumeAttachmentState(tx, r.volume_id, 'attached'))
            say('an interrupted detach was rolled back (the guest still has the disk)', r.volume_id)
          } else {
            await client.completeDetach(r.volume_id, r.attachment_id).catch(() => undefined)
            await this.repo.db.transaction((tx) => this.repo.deleteVolumeAttachment(tx, r.volume_id))
            say('an interrupted detach was completed (the guest no longer has the disk)', r.volume_id)
          }
        } else if (guestVolumes && !has(r.volume_id)) {
          await this.release(client, r).catch(() => undefined)
          await this.repo.db.transaction((tx) => this.repo.deleteVolumeAttachment(tx, r.volume_id))
          say('the guest lost a disk: detached in the volume service', r.volume_id)
        } else if (!theirIds.has(r.volume_id)) {
          say('the volume service does not know this attachment (compute keeps it: the guest has the disk)', r.volume_id)
        }
      } catch (err) {
        this.log.warn('volume reconcile failed for one volume', { instance_id: inst.id, volume_id: r.volume_id, error: (err as Error).message })
      }
    }
    const recorded = new Set(rows.map((r) => r.volume_id))
    for (const a of theirs) {
      if (recorded.has(a.volume_id)) continue
      try {
        const vol = await client.get(adminContext(), a.volume_id)
        if (has(a.volume_id) && vol) {
          await this.repo.db.transaction((tx) =>
            this.repo.insertVolumeAttachment(tx, {
              volume_id: a.volume_id,
              instance_id: inst.id,
              attachment_id: a.attachment_id,
              device: a.device ?? '/dev/vdz',
              state: 'attached',
              boot_index: null,
              delete_on_termination: false,
              file: vol.file,
              format: vol.format,
              created_at: now(),
            }),
          )
          say('recorded an attachment only the volume service knew of (the guest has the disk)', a.volume_id)
        } else {
          await this.release(client, { volume_id: a.volume_id, attachment_id: a.attachment_id, state: vol?.status === 'attaching' || vol?.status === 'reserved' ? 'attaching' : 'attached' }).catch(() => undefined)
          say('released an attachment only the volume service knew of (the guest does not have the disk)', a.volume_id)
        }
      } catch (err) {
        this.log.warn('volume reconcile failed for one volume', { instance_id: inst.id, volume_id: a.volume_id, error: (err as Error).message })
      }
    }
    for (const id of guestVolumes ?? []) {
      if (recorded.has(id) || theirIds.has(id)) continue
      await this.driver.detachVolume(inst.id, id).then(
        () => say('unplugged a disk nobody records', id),
        (e: Error) => this.log.warn('could not unplug a disk nobody records', { instance_id: inst.id, volume_id: id, error: e.message }),
      )
    }
  }
}

/** The authority compute acts with towards the volume service for its own records (reconcile, delete). */
function adminContext(): AuthContext {
  return { userId: 'compute', userName: 'compute', projectId: undefined, roles: ['admin', 'member', 'reader'], system: 'all' } as unknown as AuthContext
}
