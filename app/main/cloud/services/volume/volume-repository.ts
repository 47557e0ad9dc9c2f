import type { Database, SqlExecutor } from '../../platform/db/database'
import { parseJson } from '../../platform/db/json-column'
import type { Attachment, Backup, Snapshot, Volume, VolumeType } from './models'

type Row = Record<string, any>
export const now = () => new Date().toISOString()

const toVolume = (r: Row): Volume => ({
  id: r.id,
  project_id: r.project_id,
  user_id: r.user_id,
  name: r.name,
  description: r.description,
  size: r.size,
  status: r.status,
  bootable: !!r.bootable,
  volume_type_id: r.volume_type_id,
  format: r.format,
  availability_zone: r.availability_zone,
  source_volid: r.source_volid,
  snapshot_id: r.snapshot_id,
  image_id: r.image_id,
  metadata: parseJson(r.metadata, {}),
  image_metadata: parseJson(r.image_metadata, {}),
  fault: r.fault,
  target_size: r.target_size,
  created_at: r.created_at,
  updated_at: r.updated_at,
})

const toSnapshot = (r: Row): Snapshot => ({
  id: r.id,
  project_id: r.project_id,
  user_id: r.user_id,
  volume_id: r.volume_id,
  name: r.name,
  description: r.description,
  size: r.size,
  status: r.status,
  format: r.format,
  metadata: parseJson(r.metadata, {}),
  fault: r.fault,
  created_at: r.created_at,
  updated_at: r.updated_at,
})

const toAttachment = (r: Row): Attachment => ({
  id: r.id,
  volume_id: r.volume_id,
  server_id: r.server_id,
  attach_status: r.attach_status,
  device: r.device,
  mode: r.mode,
  connector: parseJson(r.connector, null),
  created_at: r.created_at,
  attached_at: r.attached_at,
})

const toType = (r: Row): VolumeType => ({
  id: r.id,
  name: r.name,
  description: r.description,
  is_public: !!r.is_public,
  extra_specs: parseJson(r.extra_specs, {}),
  created_at: r.created_at,
})

/** Columns of volume_volumes a manager may change with updateVolume. */
type VolumePatch = Partial<Pick<Volume, 'name' | 'description' | 'size' | 'status' | 'bootable' | 'metadata' | 'image_metadata' | 'fault' | 'target_size'>>
type SnapshotPatch = Partial<Pick<Snapshot, 'name' | 'description' | 'status' | 'metadata' | 'fault'>>

const encode = (v: unknown): string | number | null => {
  if (v === null || v === undefined) return null
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'object') return JSON.stringify(v)
  return v as string | number
}

/** All SQL of the volume service. Reads take an executor so that a transaction can read its own view. */
export class VolumeRepository {
  constructor(readonly db: Database) {}

  // Volumes
  async volume(id: string, q: SqlExecutor = this.db): Promise<Volume | undefined> {
    const r = await q.get('SELECT * FROM volume_volumes WHERE id = ?', [id])
    return r && toVolume(r)
  }
  async volumes(projectId?: string): Promise<Volume[]> {
    const rows = projectId
      ? await this.db.all('SELECT * FROM volume_volumes WHERE project_id = ? ORDER BY created_at DESC, id DESC', [projectId])
      : await this.db.all('SELECT * FROM volume_volumes ORDER BY created_at DESC, id DESC')
    return rows.map(toVolume)
  }
  async volumesWithStatus(statuses: string[]): Promise<Volume[]> {
    const rows = await this.db.all(`SELECT * FROM volume_volumes WHERE status IN (${statuses.map(() => '?').join(',')})`, statuses)
    return rows.map(toVolume)
  }
  async insertVolume(tx: SqlExecutor, v: Volume): Promise<void> {
    await tx.run(
      `INSERT INTO volume_volumes (id, project_id, user_id, name, description, size, status, bootable, volume_type_id, format,
        availability_zone, source_volid, snapshot_id, image_id, metadata, image_metadata, fault, target_size, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [v.id, v.project_id, v.user_id, v.name, v.description, v.size, v.status, v.bootable ? 1 : 0, v.volume_type_id, v.format,
        v.availability_zone, v.source_volid, v.snapshot_id, v.image_id, JSON.stringify(v.metadata), JSON.stringify(v.image_metadata),
        v.fault, v.target_size, v.created_at, v.updated_at],
    )
  }
  async updateVolume(tx: SqlExecutor, id: string, patch: VolumePatch): Promise<void> {
    const keys = Object.keys(patch) as (keyof VolumePatch)[]
    if (!keys.length) return
    await tx.run(`UPDATE volume_volumes SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`, [
      ...keys.map((k) => encode(patch[k])),
      now(),
      id,
    ])
  }
  async deleteVolume(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run('DELETE FROM volume_attachments WHERE volume_id = ?', [id])
    await tx.run('DELETE FROM volume_volumes WHERE id = ?', [id])
  }
  /** Volumes still being built from this volume or snapshot (their copy reads its file). */
  async creatingFrom(tx: SqlExecutor, source: { volumeId?: string; snapshotId?: string }): Promise<number> {
    const r = source.volumeId
      ? await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM volume_volumes WHERE source_volid = ? AND status = 'creating'", [source.volumeId])
      : await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM volume_volumes WHERE snapshot_id = ? AND status = 'creating'", [source.snapshotId!])
    return Number(r?.n ?? 0)
  }

  // Usage (what quotas count: every row until it is gone, whatever its state, as Cinder's reservations do)
  async usage(projectId: string, q: SqlExecutor = this.db): Promise<{ volumes: number; snapshots: number; gigabytes: number }> {
    const v = await q.get<{ n: number; g: number }>('SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS g FROM volume_volumes WHERE project_id = ?', [projectId])
    const s = await q.get<{ n: number; g: number }>('SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS g FROM volume_snapshots WHERE project_id = ?', [projectId])
    return { volumes: Number(v?.n ?? 0), snapshots: Number(s?.n ?? 0), gigabytes: Number(v?.g ?? 0) + Number(s?.g ?? 0) }
  }
  async usageByType(projectId: string): Promise<Map<string, { volumes: number; gigabytes: number; snapshots: number }>> {
    const out = new Map<string, { volumes: number; gigabytes: number; snapshots: number }>()
    for (const r of await this.db.all<{ t: string; n: number; g: number }>('SELECT volume_type_id AS t, COUNT(*) AS n, SUM(size) AS g FROM volume_volumes WHERE project_id = ? GROUP BY volume_type_id', [projectId])) {
      out.set(r.t, { volumes: Number(r.n), gigabytes: Number(r.g), snapshots: 0 })
    }
    for (const r of await this.db.all<{ t: string; n: number; g: number }>(
      'SELECT v.volume_type_id AS t, COUNT(*) AS n, SUM(s.size) AS g FROM volume_snapshots s JOIN volume_volumes v ON v.id = s.volume_id WHERE s.project_id = ? GROUP BY v.volume_type_id',
      [projectId],
    )) {
      const e = out.get(r.t) ?? { volumes: 0, gigabytes: 0, snapshots: 0 }
      e.snapshots = Number(r.n)
      e.gigabytes += Number(r.g)
      out.set(r.t, e)
    }
    return out
  }

  // Attachments
  async attachment(id: string, q: SqlExecutor = this.db): Promise<Attachment | undefined> {
    const r = await q.get('SELECT * FROM volume_attachments WHERE id = ?', [id])
    return r && toAttachment(r)
  }
  async attachmentsOf(volumeId: string, q: SqlExecutor = this.db): Promise<Attachment[]> {
    return (await q.all('SELECT * FROM volume_attachments WHERE volume_id = ? ORDER BY created_at', [volumeId])).map(toAttachment)
  }
  async attachmentsOfVolumes(volumeIds: string[]): Promise<Map<string, Attachment[]>> {
    const out = new Map<string, Attachment[]>()
    if (!volumeIds.length) return out
    const rows = await this.db.all(`SELECT * FROM volume_attachments WHERE volume_id IN (${volumeIds.map(() => '?').join(',')}) ORDER BY created_at`, volumeIds)
    for (const a of rows.map(toAttachment)) out.set(a.volume_id, [...(out.get(a.volume_id) ?? []), a])
    return out
  }
  async attachmentsOfServer(serverId: string): Promise<Attachment[]> {
    return (await this.db.all('SELECT * FROM volume_attachments WHERE server_id = ? ORDER BY created_at', [serverId])).map(toAttachment)
  }
  async allAttachments(): Promise<Attachment[]> {
    return (await this.db.all('SELECT * FROM volume_attachments ORDER BY created_at DESC')).map(toAttachment)
  }
  async insertAttachment(tx: SqlExecutor, a: Attachment): Promise<void> {
    await tx.run(
      'INSERT INTO volume_attachments (id, volume_id, server_id, attach_status, device, mode, connector, created_at, attached_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [a.id, a.volume_id, a.server_id, a.attach_status, a.device, a.mode, a.connector ? JSON.stringify(a.connector) : null, a.created_at, a.attached_at],
    )
  }
  async updateAttachment(tx: SqlExecutor, id: string, patch: Partial<Pick<Attachment, 'attach_status' | 'device' | 'connector' | 'attached_at'>>): Promise<void> {
    const keys = Object.keys(patch) as (keyof typeof patch)[]
    if (!keys.length) return
    await tx.run(`UPDATE volume_attachments SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => encode(patch[k])), id])
  }
  async deleteAttachment(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run('DELETE FROM volume_attachments WHERE id = ?', [id])
  }

  // Snapshots
  async snapshot(id: string, q: SqlExecutor = this.db): Promise<Snapshot | undefined> {
    const r = await q.get('SELECT * FROM volume_snapshots WHERE id = ?', [id])
    return r && toSnapshot(r)
  }
  async snapshots(projectId?: string): Promise<Snapshot[]> {
    const rows = projectId
      ? await this.db.all('SELECT * FROM volume_snapshots WHERE project_id = ? ORDER BY created_at DESC, id DESC', [projectId])
      : await this.db.all('SELECT * FROM volume_snapshots ORDER BY created_at DESC, id DESC')
    return rows.map(toSnapshot)
  }
  async snapshotsOf(volumeId: string, q: SqlExecutor = this.db): Promise<Snapshot[]> {
    return (await q.all('SELECT * FROM volume_snapshots WHERE volume_id = ?', [volumeId])).map(toSnapshot)
  }
  async snapshotsWithStatus(statuses: string[]): Promise<Snapshot[]> {
    return (await this.db.all(`SELECT * FROM volume_snapshots WHERE status IN (${statuses.map(() => '?').join(',')})`, statuses)).map(toSnapshot)
  }
  async insertSnapshot(tx: SqlExecutor, s: Snapshot): Promise<void> {
    await tx.run(
      `INSERT INTO volume_snapshots (id, project_id, user_id, volume_id, name, description, size, status, format, metadata, fault, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [s.id, s.project_id, s.user_id, s.volume_id, s.name, s.description, s.size, s.status, s.format, JSON.stringify(s.metadata), s.fault, s.created_at, s.updated_at],
    )
  }
  async updateSnapshot(tx: SqlExecutor, id: string, patch: SnapshotPatch): Promise<void> {
    const keys = Object.keys(patch) as (keyof SnapshotPatch)[]
    if (!keys.length) return
    await tx.run(`UPDATE volume_snapshots SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`, [...keys.map((k) => encode(patch[k])), now(), id])
  }
  async deleteSnapshot(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run('DELETE FROM volume_snapshots WHERE id = ?', [id])
  }

  // Types
  async type(id: string, q: SqlExecutor = this.db): Promise<VolumeType | undefined> {
    const r = await q.get('SELECT * FROM volume_types WHERE id = ?', [id])
    return r && toType(r)
  }
  async typeByName(name: string): Promise<VolumeType | undefined> {
    const r = await this.db.get('SELECT * FROM volume_types WHERE name = ?', [name])
    return r && toType(r)
  }
  async types(): Promise<VolumeType[]> {
    return (await this.db.all('SELECT * FROM volume_types ORDER BY name')).map(toType)
  }
  async insertType(tx: SqlExecutor, t: VolumeType): Promise<void> {
    await tx.run('INSERT INTO volume_types (id, name, description, is_public, extra_specs, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      t.id, t.name, t.description, t.is_public ? 1 : 0, JSON.stringify(t.extra_specs), t.created_at,
    ])
  }
  async updateType(tx: SqlExecutor, id: string, patch: Partial<Pick<VolumeType, 'name' | 'description' | 'is_public' | 'extra_specs'>>): Promise<void> {
    const keys = Object.keys(patch) as (keyof typeof patch)[]
    if (!keys.length) return
    await tx.run(`UPDATE volume_types SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`, [...keys.map((k) => encode(patch[k])), id])
  }
  async typeInUse(tx: SqlExecutor, id: string): Promise<boolean> {
    return !!(await tx.get('SELECT 1 FROM volume_volumes WHERE volume_type_id = ? LIMIT 1', [id]))
  }
  async deleteType(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run('DELETE FROM volume_types WHERE id = ?', [id])
  }

  // Quotas
  async quotas(projectId: string, q: SqlExecutor = this.db): Promise<Record<string, number>> {
    const rows = await q.all<{ resource: string; hard_limit: number }>('SELECT resource, hard_limit FROM volume_quotas WHERE project_id = ?', [projectId])
    return Object.fromEntries(rows.map((r) => [r.resource, r.hard_limit]))
  }
  async setQuota(tx: SqlExecutor, projectId: string, resource: string, limit: number): Promise<void> {
    await tx.run('INSERT OR REPLACE INTO volume_quotas (project_id, resource, hard_limit) VALUES (?, ?, ?)', [projectId, resource, limit])
  }
  async deleteQuotas(tx: SqlExecutor, projectId: string): Promise<void> {
    await tx.run('DELETE FROM volume_quotas WHERE project_id = ?', [projectId])
  }

  // Backups
  async backup(id: string, q: SqlExecutor = this.db): Promise<Backup | undefined> {
    return (await q.get<Backup>('SELECT * FROM volume_backups WHERE id = ?', [id])) ?? undefined
  }
  async backups(projectId?: string): Promise<Backup[]> {
    return projectId
      ? this.db.all<Backup>('SELECT * FROM volume_backups WHERE project_id = ? ORDER BY created_at DESC, id DESC', [projectId])
      : this.db.all<Backup>('SELECT * FROM volume_backups ORDER BY created_at DESC, id DESC')
  }
  async backupsWithStatus(statuses: string[]): Promise<Backup[]> {
    return this.db.all<Backup>(`SELECT * FROM volume_backups WHERE status IN (${statuses.map(() => '?').join(',')})`, statuses)
  }
  async backupUsage(projectId: string, q: SqlExecutor = this.db): Promise<{ backups: number; backup_gigabytes: number }> {
    const r = await q.get<{ n: number; g: number }>('SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS g FROM volume_backups WHERE project_id = ?', [projectId])
    return { backups: Number(r?.n ?? 0), backup_gigabytes: Number(r?.g ?? 0) }
  }
  async insertBackup(tx: SqlExecutor, b: Backup): Promise<void> {
    await tx.run(
      `INSERT INTO volume_backups (id, project_id, user_id, volume_id, name, description, status, size, container, object_name, format, fault, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [b.id, b.project_id, b.user_id, b.volume_id, b.name, b.description, b.status, b.size, b.container, b.object_name, b.format, b.fault, b.created_at, b.updated_at],
    )
  }
  async updateBackup(tx: SqlExecutor, id: string, patch: Partial<Pick<Backup, 'status' | 'fault' | 'name' | 'description'>>): Promise<void> {
    const keys = Object.keys(patch) as (keyof typeof patch)[]
    if (!keys.length) return
    await tx.run(`UPDATE volume_backups SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`, [...keys.map((k) => encode(patch[k])), now(), id])
  }
  async deleteBackup(tx: SqlExecutor, id: string): Promise<void> {
    await tx.run('DELETE FROM volume_backups WHERE id = ?', [id])
  }
}
