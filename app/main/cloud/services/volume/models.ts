import type { DiskFormat } from '../../drivers/volume/volume-driver'

export type VolumeStatus =
  | 'creating'
  | 'available'
  | 'reserved'
  | 'attaching'
  | 'in-use'
  | 'detaching'
  | 'deleting'
  | 'error'
  | 'error_deleting'
  | 'extending'
  | 'error_extending'
  | 'backing-up'
  | 'restoring-backup'

export type AttachStatus = 'reserved' | 'attaching' | 'attached' | 'detaching'

export interface Volume {
  id: string
  project_id: string
  user_id: string
  name: string | null
  description: string | null
  /** GiB */
  size: number
  status: VolumeStatus
  bootable: boolean
  volume_type_id: string
  format: DiskFormat
  availability_zone: string
  source_volid: string | null
  snapshot_id: string | null
  image_id: string | null
  metadata: Record<string, string>
  image_metadata: Record<string, string>
  /** Why the volume went to error (shown to admins in the log; users see the status, as in Cinder). */
  fault: string | null
  /** The size an extend is growing it to (reconcile finishes or undoes it). */
  target_size: number | null
  created_at: string
  updated_at: string | null
}

export interface Attachment {
  id: string
  volume_id: string
  server_id: string
  attach_status: AttachStatus
  device: string | null
  mode: 'rw' | 'ro'
  connector: Record<string, unknown> | null
  created_at: string
  attached_at: string | null
}

export type SnapshotStatus = 'creating' | 'available' | 'deleting' | 'error' | 'error_deleting'

export interface Snapshot {
  id: string
  project_id: string
  user_id: string
  volume_id: string
  name: string | null
  description: string | null
  size: number
  status: SnapshotStatus
  format: DiskFormat
  metadata: Record<string, string>
  fault: string | null
  created_at: string
  updated_at: string | null
}

export interface VolumeType {
  id: string
  name: string
  description: string | null
  is_public: boolean
  extra_specs: Record<string, string>
  created_at: string
}

export const DEFAULT_TYPE_NAME = '__DEFAULT__'
/** Fixed so that every cloud's default type has the same id (DevStack's differs per install; nothing relies on it). */
export const DEFAULT_TYPE_ID = '5f3a1c3e-7b1e-4c2a-9d61-0c4b7f1e2a01'

/** Cinder's default quotas (cinder.conf [DEFAULT] quota_*). */
export const QUOTA_DEFAULTS: Record<string, number> = {
  volumes: 10,
  snapshots: 10,
  gigabytes: 1000,
  backups: 10,
  backup_gigabytes: 1000,
  per_volume_gigabytes: -1,
  groups: 10,
}

export const GiB = 1024 ** 3

export type BackupStatus = 'creating' | 'available' | 'deleting' | 'restoring' | 'error'

/** A full backup of a volume: its disk file as one object in the project's object store account. */
export interface Backup {
  id: string
  project_id: string
  user_id: string
  volume_id: string
  name: string | null
  description: string | null
  status: BackupStatus
  /** GiB (the volume's size) */
  size: number
  container: string
  object_name: string
  format: import('../../drivers/volume/volume-driver').DiskFormat
  fault: string | null
  created_at: string
  updated_at: string | null
}

export const DEFAULT_BACKUP_CONTAINER = 'volumebackups'
