import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream, promises as fs } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import type { AuthContext } from '../../platform/auth-context'
import { isAdmin } from '../../platform/auth-context'
import { BadRequest, Conflict, NotFound, NotImplemented } from '../../platform/errors'
import type { Logger } from '../../platform/log'
import type { ObjectStoreClient } from '../clients'
import { InvalidVolumeState, VolumeNotFound } from './errors'
import { DEFAULT_BACKUP_CONTAINER, DEFAULT_TYPE_ID, GiB, type Backup, type Volume } from './models'
import type { VolumeManager } from './volume-manager'
import { now } from './volume-repository'

export class BackupNotFound extends NotFound {
  constructor(id: string) {
    super(`Backup ${id} could not be found.`)
  }
}

export class InvalidBackupState extends Conflict {
  constructor(id: string, action: string, status: string, allowed: string[]) {
    super(`Invalid backup: Backup ${id} status must be ${allowed.join(' or ')} to ${action}, but current status is: ${status}.`)
  }
}

export const BACKUPS_UNAVAILABLE =
  'Volume backups are not available: they are stored in the object store, which is not running in this cloud. Use volume snapshots, or create a volume from a volume (openstack volume create --source).'

/**
 * Full backups to the object store (Cinder's chunked/Swift driver, reduced to one object per backup: the volume's
 * disk file as it is, qcow2 or raw, with its format in the object's metadata). The volume is 'backing-up' while
 * its file is read, so nothing attaches or changes it meanwhile. A restore writes the object to a temp file next to
 * the disks, then the driver copies it into the volume (temp → fsync → rename), so a crash leaves the old disk or
 * the new one, never half of one.
 */
export class BackupManager {
  constructor(
    private readonly volumes: VolumeManager,
    private readonly objectStore: () => ObjectStoreClient | undefined,
    private readonly log: Logger,
  ) {}

  private store(): ObjectStoreClient {
    const s = this.objectStore()
    if (!s || typeof s.putObject !== 'function') throw new NotImplemented(BACKUPS_UNAVAILABLE)
    return s
  }

  async get(ctx: AuthContext, id: string): Promise<Backup> {
    const b = await this.volumes.repo.backup(id)
    if (!b || !(isAdmin(ctx) || b.project_id === ctx.projectId)) throw new BackupNotFound(id)
    return b
  }

  async create(ctx: AuthContext, f: { volume_id: string; name?: string | null; description?: string | null; container?: string | null; incremental?: boolean; force?: boolean; snapshot_id?: string | null }): Promise<Backup> {
    const store = this.store()
    if (f.incremental) throw new BadRequest('Invalid input received: incremental backups are not supported by this cloud; create a full backup.', 'backup/incremental')
    if (f.snapshot_id) throw new BadRequest('Invalid input received: backups of snapshots are not supported; create a volume from the snapshot and back that up.', 'backup/snapshot_id')
    const v0 = await this.volumes.get(ctx, f.volume_id)
    const container = f.container || DEFAULT_BACKUP_CONTAINER
    if (!/^[^/]{1,256}$/.test(container)) throw new BadRequest(`Invalid input received: container name ${JSON.stringify(container)} is not valid.`, 'backup/container')
    const id = randomUUID()
    const backup: Backup = {
      id,
      project_id: v0.project_id,
      user_id: ctx.userId,
      volume_id: v0.id,
      name: f.name ?? null,
      description: f.description ?? null,
      status: 'creating',
      size: v0.size,
      container,
      object_name: `volume_${v0.id}/backup_${id}`,
      format: v0.format,
      fault: null,
      created_at: now(),
      updated_at: null,
    }
    const repo = this.volumes.repo
    const v = await repo.db.transaction(async (tx) => {
      const v = await repo.volume(v0.id, tx)
      if (!v) throw new VolumeNotFound(v0.id)
      if (v.status !== 'available') {
        const err = new InvalidVolumeState(v.id, 'back it up', v.status, ['available'])
        if (v.status === 'in-use') err.message += ' Detach it first, or snapshot it and back up a volume made from the snapshot.'
        throw err
      }
      await this.volumes.checkQuota(tx, v.project_id, { backups: 1, backup_gigabytes: v.size })
      await repo.insertBackup(tx, { ...backup, size: v.size })
      await repo.updateVolume(tx, v.id, { status: 'backing-up' })
      return v
    })
    void this.volumes.track(`backup ${id}`, async () => {
      try {
        await store.ensureContainer(v.project_id, container)
        const file = this.volumes.driver.path(this.volumes.ref(v))
        const size = (await fs.stat(file)).size
        await store.putObject(v.project_id, container, backup.object_name, createReadStream(file, { highWaterMark: 1024 * 1024 }), {
          contentType: 'application/octet-stream',
          size,
          metadata: { 'volume-id': v.id, 'disk-format': v.format, 'volume-size-gb': String(v.size) },
        })
        await repo.db.transaction(async (tx) => {
          await repo.updateBackup(tx, id, { status: 'available' })
          await repo.updateVolume(tx, v.id, { status: 'available' })
        })
      } catch (err) {
        this.log.error('backup failed', { backup_id: id, error: (err as Error).message })
        await repo.db
          .transaction(async (tx) => {
            await repo.updateBackup(tx, id, { status: 'error', fault: (err as Error).message })
            await repo.updateVolume(tx, v.id, { status: 'available' })
          })
          .catch(() => undefined)
      }
    })
    return backup
  }

  async delete(id: string, force = false): Promise<void> {
    const repo = this.volumes.repo
    const b = await repo.db.transaction(async (tx) => {
      const b = await repo.backup(id, tx)
      if (!b) throw new BackupNotFound(id)
      const allowed = force ? ['available', 'error', 'creating', 'restoring'] : ['available', 'error']
      if (!allowed.includes(b.status)) throw new InvalidBackupState(id, 'delete it', b.status, allowed)
      await repo.updateBackup(tx, id, { status: 'deleting' })
      return b
    })
    void this.volumes.track(`delete backup ${id}`, () => this.finishDelete(b))
  }

  private async finishDelete(b: Backup): Promise<void> {
    const repo = this.volumes.repo
    try {
      await this.objectStore()?.deleteObject(b.project_id, b.container, b.object_name)
      await repo.db.transaction((tx) => repo.deleteBackup(tx, b.id))
    } catch (err) {
      await repo.db.transaction((tx) => repo.updateBackup(tx, b.id, { status: 'error', fault: (err as Error).message })).catch(() => undefined)
    }
  }

  /** Restores into a new volume (default) or an available one at least as large. Returns the target volume. */
  async restore(ctx: AuthContext, backupId: string, f: { volume_id?: string | null; name?: string | null }): Promise<Volume> {
    const store = this.store()
    const b0 = await this.get(ctx, backupId)
    const repo = this.volumes.repo
    let target: Volume
    if (f.volume_id) {
      const v = await this.volumes.get(ctx, f.volume_id)
      if (v.size < b0.size) throw new BadRequest(`Invalid volume: volume size ${v.size}GB is too small to restore backup of size ${b0.size}GB.`)
      target = v
    } else {
      const t = now()
      target = {
        id: randomUUID(),
        project_id: ctx.projectId ?? b0.project_id,
        user_id: ctx.userId,
        name: f.name ?? `restore_backup_${b0.id}`,
        description: null,
        size: b0.size,
        status: 'restoring-backup',
        bootable: false,
        volume_type_id: DEFAULT_TYPE_ID,
        format: this.volumes.driver.formats.includes(b0.format as never) ? b0.format : this.volumes.driver.formats[0]!,
        availability_zone: 'nova',
        source_volid: null,
        snapshot_id: null,
        image_id: null,
        metadata: {},
        image_metadata: {},
        fault: null,
        target_size: null,
        created_at: t,
        updated_at: null,
      }
    }
    await this.volumes.checkHostSpace(b0.size * GiB)
    await repo.db.transaction(async (tx) => {
      const b = await repo.backup(backupId, tx)
      if (!b) throw new BackupNotFound(backupId)
      if (b.status !== 'available') throw new InvalidBackupState(backupId, 'restore it', b.status, ['available'])
      if (f.volume_id) {
        const v = await repo.volume(target.id, tx)
        if (!v) throw new VolumeNotFound(target.id)
        if (v.status !== 'available') throw new InvalidVolumeState(v.id, 'restore a backup into it', v.status, ['available'])
        await repo.updateVolume(tx, v.id, { status: 'restoring-backup' })
      } else {
        await this.volumes.checkQuota(tx, target.project_id, { volumes: 1, gigabytes: target.size })
        await repo.insertVolume(tx, target)
      }
      await repo.updateBackup(tx, backupId, { status: 'restoring' })
    })
    void this.volumes.track(`restore backup ${backupId}`, async () => {
      const staging = this.volumes.driver.tempPath(`restore-${backupId}`)
      try {
        const obj = await store.getObject(b0.project_id, b0.container, b0.object_name)
        if (!obj) throw new Error(`the backup's object ${b0.container}/${b0.object_name} is gone from the object store`)
        await pipeline(obj.open(), createWriteStream(staging))
        await this.volumes.driver.createFromFile(this.volumes.ref(target), { path: staging, format: b0.format }, target.size * GiB)
        await repo.db.transaction(async (tx) => {
          await repo.updateVolume(tx, target.id, { status: 'available' })
          await repo.updateBackup(tx, backupId, { status: 'available' })
        })
      } catch (err) {
        this.log.error('backup restore failed', { backup_id: backupId, error: (err as Error).message })
        await repo.db
          .transaction(async (tx) => {
            await repo.updateVolume(tx, target.id, { status: 'error', fault: (err as Error).message })
            await repo.updateBackup(tx, backupId, { status: 'available' })
          })
          .catch(() => undefined)
      } finally {
        await fs.rm(staging, { force: true })
      }
    })
    return target
  }

  /** After a crash: a backup cut short is error and its volume available; a restore cut short leaves its volume error. */
  async reconcile(): Promise<void> {
    const repo = this.volumes.repo
    for (const b of await repo.backupsWithStatus(['creating', 'restoring', 'deleting'])) {
      if (b.status === 'deleting') {
        void this.volumes.track('reconcile backup delete', () => this.finishDelete(b))
        continue
      }
      await repo.db.transaction(async (tx) => {
        if (b.status === 'creating') await repo.updateBackup(tx, b.id, { status: 'error', fault: 'The cloud stopped while the backup was being made.' })
        else await repo.updateBackup(tx, b.id, { status: 'available' })
      })
    }
    for (const v of await repo.volumesWithStatus(['backing-up', 'restoring-backup'])) {
      await repo.db.transaction((tx) =>
        repo.updateVolume(tx, v.id, v.status === 'backing-up' ? { status: 'available' } : { status: 'error', fault: 'The cloud stopped while a backup was being restored into the volume.' }),
      )
    }
  }
}
