import type { OpenStackClient, RequestOptions } from './client'

/**
 * Thin Cinder v3 calls (Horizon's `api.cinder`), shared by the Volumes panel and the instance page. Paths are
 * relative to the catalog endpoint `/volume/v3/{project_id}`. Every call asks for microversion 3.0 exactly, as
 * python-cinderclient does for these base features (list, create from nothing / image / snapshot, os-extend of an
 * available volume, snapshots, types); extending an in-use volume would need 3.42, which we do not ask for.
 * Attach and detach are Nova calls (os-volume_attachments), as `openstack server add volume` makes them.
 */
export const VOLUME_MICROVERSION = '3.0'
const VOLUME_HEADERS = { 'OpenStack-API-Version': `volume ${VOLUME_MICROVERSION}` }
const COMPUTE_HEADERS = { 'OpenStack-API-Version': 'compute 2.1' }

export type VolumeStatus =
  | 'creating'
  | 'available'
  | 'reserved'
  | 'attaching'
  | 'detaching'
  | 'in-use'
  | 'maintenance'
  | 'deleting'
  | 'awaiting-transfer'
  | 'error'
  | 'error_deleting'
  | 'backing-up'
  | 'restoring-backup'
  | 'error_backing-up'
  | 'error_restoring'
  | 'error_extending'
  | 'downloading'
  | 'uploading'
  | 'retyping'
  | 'extending'

export interface VolumeAttachment {
  id?: string
  attachment_id?: string
  server_id: string
  volume_id?: string
  device?: string | null
  host_name?: string | null
  attached_at?: string | null
}

export interface Volume {
  id: string
  name: string | null
  status: VolumeStatus | (string & {})
  size: number
  volume_type: string | null
  bootable?: string | boolean
  multiattach?: boolean
  attachments: VolumeAttachment[]
  snapshot_id?: string | null
  source_volid?: string | null
  description?: string | null
  created_at?: string
  updated_at?: string | null
  availability_zone?: string
  metadata?: Record<string, string>
  volume_image_metadata?: Record<string, string>
  'os-vol-tenant-attr:tenant_id'?: string
}

export interface VolumeSnapshot {
  id: string
  name: string | null
  status: 'creating' | 'available' | 'deleting' | 'error' | 'error_deleting' | (string & {})
  size: number
  volume_id: string
  description?: string | null
  created_at?: string
  metadata?: Record<string, string>
}

export interface VolumeType {
  id: string
  name: string
  description?: string | null
  is_public?: boolean
  extra_specs?: Record<string, string>
}

export interface CreateVolumeBody {
  volume: {
    name: string
    size: number
    description?: string
    imageRef?: string
    snapshot_id?: string
    /** Always sent (null: the cloud's default type), as python-cinderclient does. */
    volume_type: string | null
    /** Always sent ({} when none), as python-cinderclient does. */
    metadata: Record<string, string>
    availability_zone?: string | null
  }
}

export interface CreateSnapshotBody {
  snapshot: { volume_id: string; name: string; description?: string; force: boolean }
}

/** Nova's view of one attachment (GET /servers/{id}/os-volume_attachments). */
export interface ServerVolumeAttachment {
  id: string
  serverId: string
  volumeId: string
  device: string | null
}

const enc = encodeURIComponent

function cinder<T>(c: OpenStackClient, method: string, path: string, opts: RequestOptions = {}) {
  return c.request<T>('volumev3', method, path, { ...opts, headers: { ...VOLUME_HEADERS, ...opts.headers } })
}

function nova<T>(c: OpenStackClient, method: string, path: string, opts: RequestOptions = {}) {
  return c.request<T>('compute', method, path, { ...opts, headers: { ...COMPUTE_HEADERS, ...opts.headers } })
}

/** GET /volumes/detail. */
export const listVolumes = (c: OpenStackClient, signal?: AbortSignal) =>
  cinder<{ volumes: Volume[] }>(c, 'GET', '/volumes/detail', { signal }).then((r) => r.body.volumes ?? [])

export const getVolume = (c: OpenStackClient, id: string, signal?: AbortSignal) =>
  cinder<{ volume: Volume }>(c, 'GET', `/volumes/${enc(id)}`, { signal }).then((r) => r.body.volume)

/** POST /volumes → 202 with the volume in `creating`. */
export const createVolume = (c: OpenStackClient, body: CreateVolumeBody, opts: { cli?: string | null } = {}) =>
  cinder<{ volume: Volume }>(c, 'POST', '/volumes', { body, cli: opts.cli }).then((r) => r.body.volume)

/** POST /volumes/{id}/action os-extend → 202; the volume goes `extending`, then back to `available`. */
export const extendVolume = (c: OpenStackClient, id: string, newSize: number, opts: { cli?: string | null } = {}) =>
  cinder<void>(c, 'POST', `/volumes/${enc(id)}/action`, { body: { 'os-extend': { new_size: newSize } }, cli: opts.cli }).then(() => undefined)

/** DELETE /volumes/{id} → 202 (400 while in-use or with snapshots). */
export const deleteVolume = (c: OpenStackClient, id: string, opts: { cli?: string | null } = {}) =>
  cinder<void>(c, 'DELETE', `/volumes/${enc(id)}`, { cli: opts.cli }).then(() => undefined)

/** GET /snapshots/detail. */
export const listSnapshots = (c: OpenStackClient, signal?: AbortSignal) =>
  cinder<{ snapshots: VolumeSnapshot[] }>(c, 'GET', '/snapshots/detail', { signal }).then((r) => r.body.snapshots ?? [])

/** POST /snapshots → 202 with the snapshot in `creating`. */
export const createSnapshot = (c: OpenStackClient, body: CreateSnapshotBody, opts: { cli?: string | null } = {}) =>
  cinder<{ snapshot: VolumeSnapshot }>(c, 'POST', '/snapshots', { body, cli: opts.cli }).then((r) => r.body.snapshot)

export const deleteSnapshot = (c: OpenStackClient, id: string, opts: { cli?: string | null } = {}) =>
  cinder<void>(c, 'DELETE', `/snapshots/${enc(id)}`, { cli: opts.cli }).then(() => undefined)

/** GET /types: the volume types a create may name. */
export const listVolumeTypes = (c: OpenStackClient, signal?: AbortSignal) =>
  cinder<{ volume_types: VolumeType[] }>(c, 'GET', '/types', { signal }).then((r) => r.body.volume_types ?? [])

/** GET /compute/v2.1/servers/{id}/os-volume_attachments. */
export const listServerVolumes = (c: OpenStackClient, serverId: string, signal?: AbortSignal) =>
  nova<{ volumeAttachments: ServerVolumeAttachment[] }>(c, 'GET', `/servers/${enc(serverId)}/os-volume_attachments`, { signal }).then((r) => r.body.volumeAttachments ?? [])

/** POST /compute/v2.1/servers/{id}/os-volume_attachments → 200 with the attachment (device chosen by Nova). */
export const attachVolume = (c: OpenStackClient, serverId: string, volumeId: string, opts: { cli?: string | null } = {}) =>
  nova<{ volumeAttachment: ServerVolumeAttachment }>(c, 'POST', `/servers/${enc(serverId)}/os-volume_attachments`, {
    body: { volumeAttachment: { volumeId } },
    cli: opts.cli,
  }).then((r) => r.body.volumeAttachment)

/** DELETE /compute/v2.1/servers/{id}/os-volume_attachments/{volumeId} → 202; the volume goes `detaching`. */
export const detachVolume = (c: OpenStackClient, serverId: string, volumeId: string, opts: { cli?: string | null } = {}) =>
  nova<void>(c, 'DELETE', `/servers/${enc(serverId)}/os-volume_attachments/${enc(volumeId)}`, { cli: opts.cli }).then(() => undefined)

/** Query keys of every panel that shows volumes; the attach/detach mutations also invalidate computeKeys. */
export const volumeKeys = {
  all: ['volume'] as const,
  volumes: ['volume', 'volumes'] as const,
  volume: (id: string) => ['volume', 'volumes', 'detail', id] as const,
  snapshots: ['volume', 'snapshots'] as const,
  types: ['volume', 'types'] as const,
  serverAttachments: (serverId: string) => ['volume', 'server-attachments', serverId] as const,
}
