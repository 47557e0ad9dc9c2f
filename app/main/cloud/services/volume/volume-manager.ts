import { randomUUID } from 'node:crypto'
import { promises as fs } from 'node:fs'
import { isAdmin, type AuthContext } from '../../platform/auth-context'
import { ApiError, BadRequest, Conflict, Forbidden } from '../../platform/errors'
import type { SqlExecutor } from '../../platform/db/database'
import type { Logger } from '../../platform/log'
import { qemuFormatOf, type DiskFormat, type DiskRef, type SourceFile, type VolumeDriver } from '../../drivers/volume/volume-driver'
import type { ComputeClient, ImageClient, ImageInfo } from '../clients'
import {
  AttachmentNotFound,
  InsufficientHostSpace,
  InvalidInput,
  InvalidSnapshotState,
  InvalidVolumeState,
  QuotaExceeded,
  SnapshotNotFound,
  VolumeNotFound,
  VolumeTypeNotFound,
} from './errors'
import { DEFAULT_TYPE_ID, GiB, QUOTA_DEFAULTS, type Attachment, type AttachStatus, type Snapshot, type Volume, type VolumeStatus, type VolumeType } from './models'
import { now, type VolumeRepository } from './volume-repository'

/** States in which a volume may be deleted (Cinder's volume.api.delete), and with force (os-force_delete). */
const DELETABLE: VolumeStatus[] = ['available', 'error', 'error_extending', 'error_deleting']
const FORCE_DELETABLE: VolumeStatus[] = [...DELETABLE, 'creating', 'deleting', 'extending']
/** Statuses that hold an attachment (the volume returns to available when its last attachment goes). */
const ATTACHED_STATES: VolumeStatus[] = ['reserved', 'attaching', 'in-use', 'detaching']

export interface CreateVolumeFields {
  size?: number
  name?: string | null
  description?: string | null
  metadata?: Record<string, string>
  volume_type?: string | null
  availability_zone?: string | null
  snapshot_id?: string | null
  source_volid?: string | null
  imageRef?: string | null
  bootable?: boolean
}

export class VolumeBuildFailed extends ApiError {
  readonly status = 500
}

type Source =
  | { kind: 'blank' }
  | { kind: 'image'; image: ImageInfo }
  | { kind: 'snapshot'; snapshot: Snapshot }
  | { kind: 'volume'; volume: Volume }

export interface VolumeManagerOptions {
  /** Bytes that must stay free on the disk that holds the volumes after a create. */
  freeSpaceMarginBytes: number
}

/**
 * The volume service's logic (Cinder's volume.api + volume.manager in one): every state change is checked and made
 * in one transaction; the driver work runs afterwards in a tracked task that records the outcome in another.
 */
export class VolumeManager {
  private readonly tasks = new Set<Promise<void>>()
  /** Volumes being built: createFromImage (boot from volume) waits on these. */
  private readonly building = new Map<string, Promise<void>>()
  private stopping = false

  constructor(
    readonly repo: VolumeRepository,
    readonly driver: VolumeDriver,
    private readonly images: () => ImageClient,
    private readonly compute: () => ComputeClient | undefined,
    private readonly log: Logger,
    private readonly opts: VolumeManagerOptions,
  ) {}

  // ---------------------------------------------------------------- reads

  /** A volume ctx may see (own project, or any for an admin). @throws VolumeNotFound */
  async get(ctx: AuthContext, id: string): Promise<Volume> {
    const v = await this.repo.volume(id)
    if (!v || !(isAdmin(ctx) || v.project_id === ctx.projectId)) throw new VolumeNotFound(id)
    return v
  }

  async getSnapshot(ctx: AuthContext, id: string): Promise<Snapshot> {
    const s = await this.repo.snapshot(id)
    if (!s || !(isAdmin(ctx) || s.project_id === ctx.projectId)) throw new SnapshotNotFound(id)
    return s
  }

  /** Types ctx can use: public ones, and every one for an admin. */
  async getType(ctx: AuthContext | undefined, nameOrId: string): Promise<VolumeType> {
    const t = (await this.repo.type(nameOrId)) ?? (await this.repo.typeByName(nameOrId))
    if (!t || (!t.is_public && !(ctx && isAdmin(ctx)))) throw new VolumeTypeNotFound(nameOrId)
    return t
  }

  /** The disk format a type picks: its extra spec volume_backend_name (qcow2, raw) if the driver makes it. */
  formatOf(type: VolumeType): DiskFormat {
    const wanted = type.extra_specs.volume_backend_name as DiskFormat | undefined
    return wanted && this.driver.formats.includes(wanted) ? wanted : this.driver.formats[0]!
  }

  hostOf(v: Volume): string {
    return `stackling@${v.format}#${v.format}`
  }

  ref(v: Volume | Snapshot, kind: 'volume' | 'snapshot' = 'volume_id' in v ? 'snapshot' : 'volume'): DiskRef {
    return { kind, id: v.id, format: v.format }
  }

  // ---------------------------------------------------------------- quotas

  async quotas(projectId: string, q?: SqlExecutor): Promise<Record<string, number>> {
    const perType: Record<string, number> = {}
    for (const t of await this.repo.types()) for (const r of ['volumes', 'gigabytes', 'snapshots']) perType[`${r}_${t.name}`] = -1
    return { ...QUOTA_DEFAULTS, ...perType, ...(await this.repo.quotas(projectId, q)) }
  }

  async checkQuota(tx: SqlExecutor, projectId: string, delta: { volumes?: number; snapshots?: number; gigabytes?: number; backups?: number; backup_gigabytes?: number }): Promise<void> {
    const q = { ...QUOTA_DEFAULTS, ...(await this.repo.quotas(projectId, tx)) }
    const u = await this.repo.usage(projectId, tx)
    const b = await this.repo.backupUsage(projectId, tx)
    if (delta.backups && q.backups! >= 0 && b.backups + delta.backups > q.backups!) {
      throw new QuotaExceeded(`BackupLimitExceeded: Maximum number of backups allowed (${q.backups}) exceeded for quota 'backups'.`)
    }
    if (delta.backup_gigabytes && q.backup_gigabytes! >= 0 && b.backup_gigabytes + delta.backup_gigabytes > q.backup_gigabytes!) {
      throw new QuotaExceeded(
        `VolumeBackupSizeExceedsAvailableQuota: Requested backup exceeds allowed Backup gigabytes quota. Requested ${delta.backup_gigabytes}G, quota is ${q.backup_gigabytes}G and ${b.backup_gigabytes}G has been consumed.`,
      )
    }
    if (delta.volumes && q.volumes! >= 0 && u.volumes + delta.volumes > q.volumes!) {
      throw new QuotaExceeded(`VolumeLimitExceeded: Maximum number of volumes allowed (${q.volumes}) exceeded for quota 'volumes'.`)
    }
    if (delta.snapshots && q.snapshots! >= 0 && u.snapshots + delta.snapshots > q.snapshots!) {
      throw new QuotaExceeded(`SnapshotLimitExceeded: Maximum number of snapshots allowed (${q.snapshots}) exceeded for quota 'snapshots'.`)
    }
    if (delta.gigabytes && q.gigabytes! >= 0 && u.gigabytes + delta.gigabytes > q.gigabytes!) {
      throw new QuotaExceeded(
        `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${delta.gigabytes}G, quota is ${q.gigabytes}G and ${u.gigabytes}G has been consumed.`,
      )
    }
  }

  private async checkPerVolume(projectId: string, size: number): Promise<void> {
    const limit = (await this.quotas(projectId)).per_volume_gigabytes!
    if (limit >= 0 && size > limit) {
      throw new QuotaExceeded(`VolumeSizeExceedsLimit: Requested volume size ${size}G is larger than maximum allowed limit ${limit}G.`)
    }
  }

  /** Refuses work that would leave less than the margin free on the disk of the volumes. */
  async checkHostSpace(requiredBytes: number): Promise<void> {
    const free = await this.driver.freeBytes()
    if (free - requiredBytes < this.opts.freeSpaceMarginBytes) {
      const g = (b: number) => `${(b / GiB).toFixed(1)} GiB`
      throw new InsufficientHostSpace(
        `Not enough free space on this computer: the volume needs about ${g(requiredBytes)} now and ${g(this.opts.freeSpaceMarginBytes)} must stay free, but the disk that holds Stackling's data has ${g(free)} free. Free some space or delete volumes, snapshots or images.`,
      )
    }
  }

  // ---------------------------------------------------------------- volumes

  async create(ctx: AuthContext, f: CreateVolumeFields): Promise<Volume> {
    if (!ctx.projectId) throw new Forbidden('Volumes belong to a project: use a project-scoped token.')
    const given = [f.snapshot_id, f.source_volid, f.imageRef].filter((x) => x)
    if (given.length > 1) throw new InvalidInput('Invalid input received: only one of snapshot_id, source_volid and imageRef may be given.')
    if (f.availability_zone && f.availability_zone !== 'nova') throw new InvalidInput(`Invalid input received: Availability zone '${f.availability_zone}' is invalid.`)

    let source: Source = { kind: 'blank' }
    let minSize = 1
    let requiredBytes = 0
    let inherited: { type?: string; bootable: boolean; image_metadata: Record<string, string> } = { bootable: false, image_metadata: {} }
    if (f.snapshot_id) {
      const s = await this.getSnapshot(ctx, f.snapshot_id).catch(() => {
        throw new SnapshotNotFound(f.snapshot_id!)
      })
      if (s.status !== 'available') throw new InvalidSnapshotState(s.id, 'create a volume from it', s.status, ['available'])
      const parent = await this.repo.volume(s.volume_id)
      inherited = { type: parent?.volume_type_id, bootable: parent?.bootable ?? false, image_metadata: parent?.image_metadata ?? {} }
      source = { kind: 'snapshot', snapshot: s }
      minSize = s.size
      requiredBytes = (await this.driver.info(this.ref(s, 'snapshot')))?.actualSize ?? 0
    } else if (f.source_volid) {
      const v = await this.get(ctx, f.source_volid)
      if (v.status !== 'available' && v.status !== 'in-use') throw new InvalidVolumeState(v.id, 'clone it', v.status, ['available', 'in-use'])
      inherited = { type: v.volume_type_id, bootable: v.bootable, image_metadata: v.image_metadata }
      source = { kind: 'volume', volume: v }
      minSize = v.size
      requiredBytes = (await this.driver.info(this.ref(v)))?.actualSize ?? 0
    } else if (f.imageRef) {
      const image = await this.images().get(ctx, f.imageRef)
      if (!image) throw new InvalidInput(`Invalid image identifier or unable to access requested image: ${f.imageRef}.`)
      if (image.status !== 'active' || !image.file) throw new InvalidInput(`Image ${image.id} is not active (its status is ${image.status}).`)
      minSize = Math.max(1, image.min_disk, Math.ceil((image.virtual_size ?? image.size ?? 0) / GiB))
      source = { kind: 'image', image }
      requiredBytes = (await fs.stat(image.file).catch(() => undefined))?.size ?? image.size ?? 0
      inherited = { bootable: true, image_metadata: imageMetadataOf(image) }
    }
    const size = f.size ?? (source.kind === 'blank' ? undefined : minSize)
    if (size === undefined) throw new InvalidInput("Invalid input received: 'size' is required to create a blank volume.")
    if (!Number.isInteger(size) || size < 1) throw new InvalidInput(`Invalid input received: Volume size '${size}' must be an integer and greater than 0.`)
    if (size < minSize) {
      const what = source.kind === 'image' ? `the image needs at least ${minSize}GB (its virtual size or min_disk)` : `the source is ${minSize}GB`
      throw new InvalidInput(`Invalid input received: Volume size ${size}GB cannot be smaller than ${minSize}GB: ${what}.`)
    }
    const type = f.volume_type ? await this.getType(ctx, f.volume_type) : await this.getType(ctx, inherited.type ?? DEFAULT_TYPE_ID)
    const format = this.formatOf(type)
    await this.checkPerVolume(ctx.projectId, size)
    await this.checkHostSpace(requiredBytes)

    const id = randomUUID()
    const holder = `volume:${id}`
    if (source.kind === 'image') await this.images().hold(source.image.id, holder)
    const t = now()
    const volume: Volume = {
      id,
      project_id: ctx.projectId,
      user_id: ctx.userId,
      name: f.name ?? null,
      description: f.description ?? null,
      size,
      status: 'creating',
      bootable: f.bootable ?? inherited.bootable,
      volume_type_id: type.id,
      format,
      availability_zone: 'nova',
      source_volid: source.kind === 'volume' ? source.volume.id : null,
      snapshot_id: source.kind === 'snapshot' ? source.snapshot.id : null,
      image_id: source.kind === 'image' ? source.image.id : null,
      metadata: f.metadata ?? {},
      image_metadata: inherited.image_metadata,
      fault: null,
      target_size: null,
      created_at: t,
      updated_at: null,
    }
    try {
      await this.repo.db.transaction(async (tx) => {
        await this.checkQuota(tx, ctx.projectId!, { volumes: 1, gigabytes: size })
        // The source may have changed since it was read: check it again where it counts.
        if (source.kind === 'snapshot') {
          const s = await this.repo.snapshot(source.snapshot.id, tx)
          if (s?.status !== 'available') throw new InvalidSnapshotState(source.snapshot.id, 'create a volume from it', s?.status ?? 'deleted', ['available'])
        } else if (source.kind === 'volume') {
          const v = await this.repo.volume(source.volume.id, tx)
          if (v?.status !== 'available' && v?.status !== 'in-use') throw new InvalidVolumeState(source.volume.id, 'clone it', v?.status ?? 'deleted', ['available', 'in-use'])
          source = { kind: 'volume', volume: v }
        }
        await this.repo.insertVolume(tx, volume)
      })
    } catch (err) {
      if (source.kind === 'image') await this.images().release(source.image.id, holder).catch(() => undefined)
      throw err
    }
    const src = source
    const done = this.track(`build volume ${id}`, () => this.build(volume, src))
    this.building.set(id, done)
    void done.finally(() => this.building.delete(id))
    return volume
  }

  /** The driver work of a create; the outcome goes to the record (available, or error with the reason). */
  private async build(v: Volume, source: Source): Promise<void> {
    const ref = this.ref(v)
    try {
      if (source.kind === 'blank') await this.driver.createBlank(ref, v.size * GiB)
      else await this.driver.createFromFile(ref, this.sourceFile(source), v.size * GiB)
      const finished = await this.repo.db.transaction(async (tx) => {
        const cur = await this.repo.volume(v.id, tx)
        if (cur?.status !== 'creating') return false
        await this.repo.updateVolume(tx, v.id, { status: 'available' })
        return true
      })
      // Force-deleted while it was being built: the file is nobody's.
      if (!finished) await this.driver.delete(ref)
    } catch (err) {
      this.log.error('volume create failed', { volume_id: v.id, error: (err as Error).message })
      await this.driver.delete(ref).catch(() => undefined)
      await this.repo.db
        .transaction(async (tx) => {
          const cur = await this.repo.volume(v.id, tx)
          if (cur?.status === 'creating') await this.repo.updateVolume(tx, v.id, { status: 'error', fault: (err as Error).message })
        })
        .catch(() => undefined)
    } finally {
      if (source.kind === 'image') await this.images().release(source.image.id, `volume:${v.id}`).catch(() => undefined)
    }
  }

  private sourceFile(source: Exclude<Source, { kind: 'blank' }>): SourceFile {
    switch (source.kind) {
      case 'image':
        return { path: source.image.file!, format: qemuFormatOf(source.image.disk_format) }
      case 'snapshot':
        return { path: this.driver.path(this.ref(source.snapshot, 'snapshot')), format: source.snapshot.format }
      case 'volume':
        return { path: this.driver.path(this.ref(source.volume)), format: source.volume.format, inUse: source.volume.status === 'in-use' }
    }
  }

  /** Resolves when a volume being built is done (at once when it is not being built). */
  async whenBuilt(id: string): Promise<void> {
    await this.building.get(id)
  }

  async update(id: string, fields: { name?: string | null; description?: string | null; metadata?: Record<string, string> }): Promise<Volume> {
    return this.repo.db.transaction(async (tx) => {
      const v = await this.repo.volume(id, tx)
      if (!v) throw new VolumeNotFound(id)
      const patch: Parameters<VolumeRepository['updateVolume']>[2] = {}
      if (fields.name !== undefined) patch.name = fields.name
      if (fields.description !== undefined) patch.description = fields.description
      if (fields.metadata !== undefined) patch.metadata = fields.metadata
      await this.repo.updateVolume(tx, id, patch)
      return { ...v, ...patch }
    })
  }

  /** Metadata: replace all (PUT) or merge (POST), or delete one key. */
  async setMetadata(id: string, metadata: Record<string, string>, replace: boolean): Promise<Record<string, string>> {
    return this.repo.db.transaction(async (tx) => {
      const v = await this.repo.volume(id, tx)
      if (!v) throw new VolumeNotFound(id)
      const next = replace ? metadata : { ...v.metadata, ...metadata }
      await this.repo.updateVolume(tx, id, { metadata: next })
      return next
    })
  }

  async deleteMetadataKey(id: string, key: string): Promise<void> {
    await this.repo.db.transaction(async (tx) => {
      const v = await this.repo.volume(id, tx)
      if (!v) throw new VolumeNotFound(id)
      if (!(key in v.metadata)) throw new BadRequest(`Metadata item was not found: ${key}`)
      const { [key]: _gone, ...rest } = v.metadata
      await this.repo.updateVolume(tx, id, { metadata: rest })
    })
  }

  async setImageMetadata(id: string, metadata: Record<string, string>, unsetKey?: string): Promise<Record<string, string>> {
    return this.repo.db.transaction(async (tx) => {
      const v = await this.repo.volume(id, tx)
      if (!v) throw new VolumeNotFound(id)
      const next = { ...v.image_metadata, ...metadata }
      if (unsetKey !== undefined) {
        if (!(unsetKey in next)) throw new BadRequest(`Glance metadata for volume ${id} and key ${unsetKey} cannot be found.`)
        delete next[unsetKey]
      }
      await this.repo.updateVolume(tx, id, { image_metadata: next })
      return next
    })
  }

  async setBootable(id: string, bootable: boolean): Promise<void> {
    await this.transition(id, 'set bootable', ['available', 'in-use', 'reserved', 'attaching', 'detaching'], { bootable })
  }

  /** os-reset_status (admin): sets what an admin says; attachments go when the volume is made available. */
  async resetStatus(id: string, status: VolumeStatus): Promise<void> {
    const allowed: VolumeStatus[] = ['creating', 'available', 'reserved', 'attaching', 'in-use', 'detaching', 'deleting', 'error', 'error_deleting', 'extending', 'error_extending']
    if (!allowed.includes(status)) throw new InvalidInput(`Invalid input received: '${status}' is not a volume status.`)
    await this.repo.db.transaction(async (tx) => {
      const v = await this.repo.volume(id, tx)
      if (!v) throw new VolumeNotFound(id)
      if (status === 'available' || status === 'error') for (const a of await this.repo.attachmentsOf(id, tx)) await this.repo.deleteAttachment(tx, a.id)
      await this.repo.updateVolume(tx, id, { status, target_size: null })
    })
  }

  /**
   * Cinder's delete: available/error only (any state but attached with force), no attachments, no snapshots unless
   * cascade, no volume being copied from it. The files go in a task; the row goes last.
   */
  async delete(id: string, opts: { cascade?: boolean; force?: boolean } = {}): Promise<void> {
    const snaps = await this.repo.db.transaction(async (tx) => {
      const v = await this.repo.volume(id, tx)
      if (!v) throw new VolumeNotFound(id)
      const allowed = opts.force ? FORCE_DELETABLE : DELETABLE
      if (!allowed.includes(v.status)) throw new InvalidVolumeState(id, 'delete it', v.status, allowed)
      if ((await this.repo.attachmentsOf(id, tx)).length) throw new Conflict(`Invalid volume: Volume ${id} is attached; detach it first.`)
      if (await this.repo.creatingFrom(tx, { volumeId: id })) throw new Conflict(`Invalid volume: Volume ${id} is being copied into a new volume; try again when that is done.`)
      const snapshots = await this.repo.snapshotsOf(id, tx)
      if (snapshots.length && !opts.cascade) {
        throw new Conflict(`Invalid volume: Volume ${id} still has ${snapshots.length} dependent snapshot(s); delete them first or delete with cascade (openstack volume delete --purge).`)
      }
      for (const s of snapshots) {
        if (!['available', 'error', 'error_deleting'].includes(s.status)) throw new InvalidSnapshotState(s.id, 'delete it', s.status, ['available', 'error'])
        if (await this.repo.creatingFrom(tx, { snapshotId: s.id })) throw new Conflict(`Invalid snapshot: Snapshot ${s.id} is being copied into a new volume.`)
        await this.repo.updateSnapshot(tx, s.id, { status: 'deleting' })
      }
      await this.repo.updateVolume(tx, id, { status: 'deleting' })
      return snapshots
    })
    void this.track(`delete volume ${id}`, () => this.finishDelete(id, snaps.map((s) => s.id)))
  }

  private async finishDelete(id: string, snapshotIds: string[]): Promise<void> {
    for (const sid of snapshotIds) await this.finishSnapshotDelete(sid)
    const v = await this.repo.volume(id)
    if (!v) return
    try {
      await this.driver.delete(this.ref(v))
      await this.repo.db.transaction((tx) => this.repo.deleteVolume(tx, id))
    } catch (err) {
      this.log.error('volume delete failed', { volume_id: id, error: (err as Error).message })
      await this.repo.db.transaction((tx) => this.repo.updateVolume(tx, id, { status: 'error_deleting', fault: (err as Error).message })).catch(() => undefined)
    }
  }

  /**
   * os-extend. An available volume grows on the driver; an in-use one (microversion 3.42+) grows through compute,
   * whose guest holds the file open (QMP block_resize), exactly as Cinder tells Nova with a volume-extended event.
   */
  async extend(id: string, newSize: number, allowInUse: boolean): Promise<void> {
    if (!Number.isInteger(newSize)) throw new InvalidInput(`Invalid input received: New volume size '${newSize}' must be an integer.`)
    const v0 = await this.repo.volume(id)
    if (!v0) throw new VolumeNotFound(id)
    await this.checkPerVolume(v0.project_id, newSize)
    const compute = this.compute()
    const { v, serverId } = await this.repo.db.transaction(async (tx) => {
      const v = await this.repo.volume(id, tx)
      if (!v) throw new VolumeNotFound(id)
      const allowed: VolumeStatus[] = allowInUse ? ['available', 'in-use'] : ['available']
      if (!allowed.includes(v.status)) {
        const err = new InvalidVolumeState(id, 'extend it', v.status, allowed)
        if (v.status === 'in-use' && !allowInUse) err.message += ' Extending an attached volume needs microversion 3.42 or later (openstack --os-volume-api-version 3.42 volume set --size …).'
        throw err
      }
      if (newSize <= v.size) throw new InvalidInput(`Invalid input received: New size for extend must be greater than current size. (current: ${v.size}, extended: ${newSize}).`)
      if ((await this.repo.snapshotsOf(id, tx)).some((s) => s.status === 'creating')) throw new Conflict(`Invalid volume: a snapshot of volume ${id} is being taken; extend it afterwards.`)
      if (await this.repo.creatingFrom(tx, { volumeId: id })) throw new Conflict(`Invalid volume: Volume ${id} is being copied into a new volume; extend it afterwards.`)
      let serverId: string | undefined
      if (v.status === 'in-use') {
        serverId = (await this.repo.attachmentsOf(id, tx)).find((a) => a.attach_status === 'attached')?.server_id
        if (!serverId || typeof compute?.volumeExtended !== 'function') throw new Conflict(`Invalid volume: Volume ${id} is attached, and compute cannot grow an attached disk in this cloud; detach it and extend it then.`)
      }
      await this.checkQuota(tx, v.project_id, { gigabytes: newSize - v.size })
      await this.repo.updateVolume(tx, id, { status: 'extending', target_size: newSize })
      return { v, serverId }
    })
    void this.track(`extend volume ${id}`, async () => {
      const back: VolumeStatus = serverId ? 'in-use' : 'available'
      try {
        if (serverId) await compute!.volumeExtended(serverId, id, newSize * GiB)
        else await this.driver.extend(this.ref(v), newSize * GiB)
        await this.repo.db.transaction((tx) => this.repo.updateVolume(tx, id, { status: back, size: newSize, target_size: null }))
      } catch (err) {
        this.log.error('volume extend failed', { volume_id: id, error: (err as Error).message })
        // An attached volume stays usable at its old size (the guest never saw the new one); a detached one is
        // error_extending as in Cinder, until an admin resets it.
        const status: VolumeStatus = serverId ? 'in-use' : 'error_extending'
        await this.repo.db.transaction((tx) => this.repo.updateVolume(tx, id, { status, target_size: null, fault: (err as Error).message })).catch(() => undefined)
      }
    })
  }

  /** Checks the state and applies the patch in one transaction. @throws InvalidVolumeState (409) */
  private async transition(
    id: string,
    action: string,
    from: VolumeStatus[],
    patch: Parameters<VolumeRepository['updateVolume']>[2],
    extra?: (tx: SqlExecutor, v: Volume) => Promise<void>,
  ): Promise<Volume> {
    return this.repo.db.transaction(async (tx) => {
      const v = await this.repo.volume(id, tx)
      if (!v) throw new VolumeNotFound(id)
      if (!from.includes(v.status)) throw new InvalidVolumeState(id, action, v.status, from)
      await extra?.(tx, v)
      await this.repo.updateVolume(tx, id, patch)
      return { ...v, ...patch }
    })
  }

  // ---------------------------------------------------------------- attachments

  /**
   * available → reserved (no connector yet) or attaching, with a new attachment record for the server.
   * Refused while the volume's file is being read for a snapshot or a clone (a guest would take its write lock).
   */
  async reserve(volumeId: string, serverId: string, opts: { status: 'reserved' | 'attaching'; connector?: Record<string, unknown> | null; mode?: 'rw' | 'ro' }): Promise<Attachment> {
    const a: Attachment = {
      id: randomUUID(),
      volume_id: volumeId,
      server_id: serverId,
      attach_status: opts.status,
      device: null,
      mode: opts.mode ?? 'rw',
      connector: opts.connector ?? null,
      created_at: now(),
      attached_at: null,
    }
    await this.transition(volumeId, 'attach it', ['available'], { status: opts.status }, async (tx) => {
      if ((await this.repo.snapshotsOf(volumeId, tx)).some((s) => s.status === 'creating')) throw new Conflict(`Invalid volume: a snapshot of volume ${volumeId} is being taken; attach it afterwards.`)
      if (await this.repo.creatingFrom(tx, { volumeId })) throw new Conflict(`Invalid volume: Volume ${volumeId} is being copied into a new volume; attach it afterwards.`)
      await this.repo.insertAttachment(tx, a)
    })
    return a
  }

  /** Attachment update with a connector (reserved → attaching). */
  async connect(attachmentId: string, connector: Record<string, unknown>): Promise<Attachment> {
    return this.repo.db.transaction(async (tx) => {
      const a = await this.repo.attachment(attachmentId, tx)
      if (!a) throw new AttachmentNotFound(attachmentId)
      const v = await this.repo.volume(a.volume_id, tx)
      if (a.attach_status === 'reserved') {
        await this.repo.updateAttachment(tx, a.id, { attach_status: 'attaching', connector })
        if (v?.status === 'reserved') await this.repo.updateVolume(tx, v.id, { status: 'attaching' })
        return { ...a, attach_status: 'attaching' as AttachStatus, connector }
      }
      if (a.attach_status === 'attaching' || a.attach_status === 'attached') {
        await this.repo.updateAttachment(tx, a.id, { connector })
        return { ...a, connector }
      }
      throw new Conflict(`Invalid volume: attachment ${attachmentId} is ${a.attach_status}; it cannot be updated now.`)
    })
  }

  /** reserved/attaching → in-use (attachment attached, with the guest's device name). */
  async completeAttach(volumeId: string, attachmentId: string, device: string | null): Promise<Volume> {
    return this.transition(volumeId, 'complete its attach', ['reserved', 'attaching', 'in-use'], { status: 'in-use' }, async (tx, v) => {
      const a = await this.attachmentOf(tx, v, attachmentId)
      if (a.attach_status === 'attached' && v.status === 'in-use') return
      if (a.attach_status !== 'reserved' && a.attach_status !== 'attaching') throw new Conflict(`Invalid volume: attachment ${attachmentId} is ${a.attach_status}.`)
      await this.repo.updateAttachment(tx, a.id, { attach_status: 'attached', device: device ?? a.device, attached_at: now() })
    })
  }

  /** reserved/attaching → available; the attachment is deleted. */
  async unreserve(volumeId: string, attachmentId: string): Promise<void> {
    await this.repo.db.transaction(async (tx) => {
      const v = await this.repo.volume(volumeId, tx)
      if (!v) throw new VolumeNotFound(volumeId)
      const a = await this.attachmentOf(tx, v, attachmentId)
      if (a.attach_status === 'attached' || a.attach_status === 'detaching') throw new InvalidVolumeState(volumeId, 'unreserve it', v.status, ['reserved', 'attaching'])
      await this.repo.deleteAttachment(tx, a.id)
      await this.afterAttachmentGone(tx, v)
    })
  }

  /** in-use → detaching. */
  async beginDetaching(volumeId: string, attachmentId: string | undefined): Promise<void> {
    await this.transition(volumeId, 'detach it', ['in-use'], { status: 'detaching' }, async (tx, v) => {
      const a = attachmentId ? await this.attachmentOf(tx, v, attachmentId) : (await this.repo.attachmentsOf(v.id, tx)).find((x) => x.attach_status === 'attached')
      if (a) await this.repo.updateAttachment(tx, a.id, { attach_status: 'detaching' })
    })
  }

  /** detaching → in-use. */
  async rollDetaching(volumeId: string, attachmentId: string | undefined): Promise<void> {
    await this.transition(volumeId, 'roll back its detach', ['detaching'], { status: 'in-use' }, async (tx, v) => {
      for (const a of await this.repo.attachmentsOf(v.id, tx)) {
        if (a.attach_status === 'detaching' && (!attachmentId || a.id === attachmentId)) await this.repo.updateAttachment(tx, a.id, { attach_status: 'attached' })
      }
    })
  }

  /** detaching (or in-use, for os-detach) → available; the attachment is deleted. */
  async completeDetach(volumeId: string, attachmentId: string | undefined): Promise<void> {
    await this.repo.db.transaction(async (tx) => {
      const v = await this.repo.volume(volumeId, tx)
      if (!v) throw new VolumeNotFound(volumeId)
      if (v.status !== 'detaching' && v.status !== 'in-use') throw new InvalidVolumeState(volumeId, 'detach it', v.status, ['in-use', 'detaching'])
      const all = await this.repo.attachmentsOf(v.id, tx)
      const gone = attachmentId ? [await this.attachmentOf(tx, v, attachmentId)] : all
      for (const a of gone) await this.repo.deleteAttachment(tx, a.id)
      await this.afterAttachmentGone(tx, v)
    })
  }

  /** DELETE /attachments/{id}: the attachment goes whatever its state; the volume is available once none is left. */
  async deleteAttachment(attachmentId: string): Promise<void> {
    await this.repo.db.transaction(async (tx) => {
      const a = await this.repo.attachment(attachmentId, tx)
      if (!a) throw new AttachmentNotFound(attachmentId)
      const v = await this.repo.volume(a.volume_id, tx)
      await this.repo.deleteAttachment(tx, a.id)
      if (v) await this.afterAttachmentGone(tx, v)
    })
  }

  /** Legacy os-attach: reserved/attaching/available → in-use, recording the attachment. */
  async legacyAttach(volumeId: string, serverId: string, device: string | null, mode: 'rw' | 'ro'): Promise<void> {
    const v = await this.repo.volume(volumeId)
    if (!v) throw new VolumeNotFound(volumeId)
    let attachment = (await this.repo.attachmentsOf(volumeId)).find((a) => a.server_id === serverId && a.attach_status !== 'attached')
    if (!attachment) attachment = await this.reserve(volumeId, serverId, { status: 'attaching', mode })
    await this.completeAttach(volumeId, attachment.id, device)
  }

  private async attachmentOf(tx: SqlExecutor, v: Volume, attachmentId: string): Promise<Attachment> {
    const a = await this.repo.attachment(attachmentId, tx)
    if (!a || a.volume_id !== v.id) throw new AttachmentNotFound(attachmentId)
    return a
  }

  private async afterAttachmentGone(tx: SqlExecutor, v: Volume): Promise<void> {
    const left = await this.repo.attachmentsOf(v.id, tx)
    if (left.length === 0 && ATTACHED_STATES.includes(v.status)) await this.repo.updateVolume(tx, v.id, { status: 'available' })
  }

  // ---------------------------------------------------------------- snapshots

  async createSnapshot(ctx: AuthContext, f: { volume_id: string; name?: string | null; description?: string | null; metadata?: Record<string, string>; force?: boolean }): Promise<Snapshot> {
    const v0 = await this.get(ctx, f.volume_id)
    await this.checkHostSpace((await this.driver.info(this.ref(v0)))?.actualSize ?? 0)
    const snap: Snapshot = {
      id: randomUUID(),
      project_id: v0.project_id,
      user_id: ctx.userId,
      volume_id: v0.id,
      name: f.name ?? null,
      description: f.description ?? null,
      size: v0.size,
      status: 'creating',
      format: v0.format,
      metadata: f.metadata ?? {},
      fault: null,
      created_at: now(),
      updated_at: null,
    }
    const v = await this.repo.db.transaction(async (tx) => {
      const v = await this.repo.volume(v0.id, tx)
      if (!v) throw new VolumeNotFound(v0.id)
      const allowed: VolumeStatus[] = f.force ? ['available', 'in-use'] : ['available']
      if (!allowed.includes(v.status)) {
        const err = new InvalidVolumeState(v.id, 'snapshot it', v.status, allowed)
        if (v.status === 'in-use') err.message += ' Use force (openstack volume snapshot create --force) for a crash-consistent snapshot of an attached volume.'
        throw err
      }
      await this.checkQuota(tx, v.project_id, { snapshots: 1, gigabytes: v.size })
      await this.repo.insertSnapshot(tx, { ...snap, size: v.size })
      return v
    })
    snap.size = v.size
    void this.track(`snapshot ${snap.id}`, async () => {
      const ref = this.ref(snap, 'snapshot')
      try {
        await this.driver.createFromFile(ref, { path: this.driver.path(this.ref(v)), format: v.format, inUse: v.status === 'in-use' }, snap.size * GiB)
        const ok = await this.repo.db.transaction(async (tx) => {
          const cur = await this.repo.snapshot(snap.id, tx)
          if (cur?.status !== 'creating') return false
          await this.repo.updateSnapshot(tx, snap.id, { status: 'available' })
          return true
        })
        if (!ok) await this.driver.delete(ref)
      } catch (err) {
        this.log.error('snapshot create failed', { snapshot_id: snap.id, error: (err as Error).message })
        await this.driver.delete(ref).catch(() => undefined)
        await this.repo.db.transaction((tx) => this.repo.updateSnapshot(tx, snap.id, { status: 'error', fault: (err as Error).message })).catch(() => undefined)
      }
    })
    return snap
  }

  async updateSnapshot(id: string, fields: { name?: string | null; description?: string | null; metadata?: Record<string, string> }): Promise<Snapshot> {
    return this.repo.db.transaction(async (tx) => {
      const s = await this.repo.snapshot(id, tx)
      if (!s) throw new SnapshotNotFound(id)
      const patch: Parameters<VolumeRepository['updateSnapshot']>[2] = {}
      if (fields.name !== undefined) patch.name = fields.name
      if (fields.description !== undefined) patch.description = fields.description
      if (fields.metadata !== undefined) patch.metadata = fields.metadata
      await this.repo.updateSnapshot(tx, id, patch)
      return { ...s, ...patch }
    })
  }

  async resetSnapshotStatus(id: string, status: string): Promise<void> {
    if (!['creating', 'available', 'deleting', 'error', 'error_deleting'].includes(status)) throw new InvalidInput(`Invalid input received: '${status}' is not a snapshot status.`)
    await this.repo.db.transaction(async (tx) => {
      if (!(await this.repo.snapshot(id, tx))) throw new SnapshotNotFound(id)
      await this.repo.updateSnapshot(tx, id, { status: status as Snapshot['status'] })
    })
  }

  async deleteSnapshot(id: string): Promise<void> {
    await this.repo.db.transaction(async (tx) => {
      const s = await this.repo.snapshot(id, tx)
      if (!s) throw new SnapshotNotFound(id)
      const allowed = ['available', 'error', 'error_deleting']
      if (!allowed.includes(s.status)) throw new InvalidSnapshotState(id, 'delete it', s.status, allowed)
      if (await this.repo.creatingFrom(tx, { snapshotId: id })) throw new Conflict(`Invalid snapshot: Snapshot ${id} is being copied into a new volume; delete it afterwards.`)
      await this.repo.updateSnapshot(tx, id, { status: 'deleting' })
    })
    void this.track(`delete snapshot ${id}`, () => this.finishSnapshotDelete(id))
  }

  private async finishSnapshotDelete(id: string): Promise<void> {
    const s = await this.repo.snapshot(id)
    if (!s) return
    try {
      await this.driver.delete(this.ref(s, 'snapshot'))
      await this.repo.db.transaction((tx) => this.repo.deleteSnapshot(tx, id))
    } catch (err) {
      this.log.error('snapshot delete failed', { snapshot_id: id, error: (err as Error).message })
      await this.repo.db.transaction((tx) => this.repo.updateSnapshot(tx, id, { status: 'error_deleting', fault: (err as Error).message })).catch(() => undefined)
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Start after a crash or a clean stop: every record ends in a true state and no half-written file stays.
   * - creating → available if its file exists under its final name (the rename is the last step of a build), else
   *   error; the image hold it took is released.
   * - deleting → the delete is finished. extending → done if the file has the new size, else back where it was.
   * - reserved/attaching → available, unless its attachment was completed (then in-use): compute may not be running
   *   yet, so an attach it never confirmed did not happen; compute re-attaches from its own records.
   * - detaching → in-use (the guest may still hold the disk; compute finishes or rolls back the detach).
   * - Snapshots likewise; temp files and disk files no record owns are removed.
   */
  async reconcile(): Promise<void> {
    await this.driver.initHost()
    const temps = await this.driver.removeTemps()
    if (temps) this.log.info('removed unfinished volume files', { count: temps })
    const pending: (() => Promise<void>)[] = []
    for (const v of await this.repo.volumesWithStatus(['creating', 'deleting', 'extending', 'reserved', 'attaching', 'detaching'])) {
      const attachments = await this.repo.attachmentsOf(v.id)
      if (v.status === 'creating') {
        const exists = !!(await this.driver.info(this.ref(v)).catch(() => undefined))
        await this.repo.db.transaction((tx) => this.repo.updateVolume(tx, v.id, exists ? { status: 'available' } : { status: 'error', fault: 'The cloud stopped while the volume was being created.' }))
        if (v.image_id) await this.images().release(v.image_id, `volume:${v.id}`).catch(() => undefined)
      } else if (v.status === 'deleting') {
        pending.push(() => this.finishDelete(v.id, []))
      } else if (v.status === 'extending') {
        const info = await this.driver.info(this.ref(v)).catch(() => undefined)
        const grown = !!info && !!v.target_size && info.virtualSize >= v.target_size * GiB
        const back: VolumeStatus = attachments.some((a) => a.attach_status === 'attached') ? 'in-use' : 'available'
        await this.repo.db.transaction((tx) => this.repo.updateVolume(tx, v.id, { status: back, target_size: null, ...(grown ? { size: v.target_size! } : {}) }))
      } else if (v.status === 'reserved' || v.status === 'attaching') {
        await this.repo.db.transaction(async (tx) => {
          for (const a of attachments) if (a.attach_status !== 'attached') await this.repo.deleteAttachment(tx, a.id)
          await this.repo.updateVolume(tx, v.id, { status: attachments.some((a) => a.attach_status === 'attached') ? 'in-use' : 'available' })
        })
      } else if (v.status === 'detaching') {
        await this.repo.db.transaction(async (tx) => {
          for (const a of attachments) if (a.attach_status === 'detaching') await this.repo.updateAttachment(tx, a.id, { attach_status: 'attached' })
          await this.repo.updateVolume(tx, v.id, { status: attachments.length ? 'in-use' : 'available' })
        })
      }
    }
    for (const s of await this.repo.snapshotsWithStatus(['creating', 'deleting'])) {
      if (s.status === 'creating') {
        const exists = !!(await this.driver.info(this.ref(s, 'snapshot')).catch(() => undefined))
        await this.repo.db.transaction((tx) => this.repo.updateSnapshot(tx, s.id, exists ? { status: 'available' } : { status: 'error', fault: 'The cloud stopped while the snapshot was being taken.' }))
      } else pending.push(() => this.finishSnapshotDelete(s.id))
    }
    // Disk files no record owns (a create finished on disk after its record went, a delete interrupted after the row).
    const volumes = new Map((await this.repo.volumes()).map((v) => [v.id, v]))
    const snapshots = new Map((await this.repo.snapshots()).map((s) => [s.id, s]))
    for (const ref of await this.driver.list()) {
      const owner = ref.kind === 'volume' ? volumes.get(ref.id) : snapshots.get(ref.id)
      if (!owner || owner.format !== ref.format) {
        this.log.info('removing a disk file no record owns', { kind: ref.kind, id: ref.id })
        await this.driver.delete(ref)
      }
    }
    for (const p of pending) void this.track('reconcile', p)
  }

  /** Waits (bounded) for the tasks in flight; a task cut short is finished by the next start's reconcile. */
  async stop(timeoutMs = 15_000): Promise<void> {
    this.stopping = true
    await Promise.race([Promise.allSettled([...this.tasks]), new Promise((r) => setTimeout(r, timeoutMs).unref())])
  }

  get isStopping(): boolean {
    return this.stopping
  }

  track(name: string, work: () => Promise<void>): Promise<void> {
    const p: Promise<void> = work()
      .catch((err: Error) => this.log.error(`volume task failed: ${name}`, { error: err?.stack ?? String(err) }))
      .finally(() => this.tasks.delete(p))
    this.tasks.add(p)
    return p
  }
}

/** What Cinder copies from an image into volume_image_metadata. */
function imageMetadataOf(image: ImageInfo): Record<string, string> {
  const out: Record<string, string> = {
    image_id: image.id,
    image_name: image.name ?? '',
    disk_format: image.disk_format ?? '',
    container_format: 'bare',
    min_disk: String(image.min_disk),
    min_ram: String(image.min_ram),
    size: String(image.size ?? 0),
  }
  for (const [k, v] of Object.entries(image.properties)) out[k] = String(v)
  return out
}
