import { compareVersions } from '../../../platform/http/microversion'
import type { ApiRequest } from '../../../platform/http/types'
import { isAdmin } from '../../../platform/auth-context'
import type { Attachment, Snapshot, Volume, VolumeType } from '../models'

/** Model → Cinder v3 JSON, by microversion; wire spellings live only here. */

export const atLeast = (req: ApiRequest, v: string) => compareVersions(req.microversion ?? '3.0', v) >= 0

const links = (req: ApiRequest, kind: string, id: string) => {
  const project = req.params.project_id ?? req.ctx.projectId ?? ''
  return [
    { rel: 'self', href: `${req.serviceUrl}/v3/${project}/${kind}/${id}` },
    { rel: 'bookmark', href: `${req.serviceUrl}/${project}/${kind}/${id}` },
  ]
}

export function volumeSummary(req: ApiRequest, v: Volume) {
  return { id: v.id, name: v.name, links: links(req, 'volumes', v.id) }
}

export function attachmentInVolume(a: Attachment) {
  return {
    id: a.volume_id,
    attachment_id: a.id,
    volume_id: a.volume_id,
    server_id: a.server_id,
    host_name: null,
    device: a.device,
    attached_at: a.attached_at,
  }
}

export function volumeView(req: ApiRequest, v: Volume, extra: { attachments: Attachment[]; type: VolumeType | undefined; host: string }) {
  const admin = isAdmin(req.ctx)
  const out: Record<string, unknown> = {
    id: v.id,
    name: v.name,
    description: v.description,
    status: v.status,
    size: v.size,
    availability_zone: v.availability_zone,
    created_at: v.created_at,
    updated_at: v.updated_at,
    bootable: v.bootable ? 'true' : 'false',
    encrypted: false,
    multiattach: false,
    replication_status: null,
    consistencygroup_id: null,
    source_volid: v.source_volid,
    snapshot_id: v.snapshot_id,
    volume_type: extra.type?.name ?? null,
    metadata: v.metadata,
    user_id: v.user_id,
    migration_status: null,
    // Only attachments a guest holds show here, as in Cinder (reserved ones are in /attachments).
    attachments: extra.attachments.filter((a) => a.attach_status === 'attached' || a.attach_status === 'detaching').map(attachmentInVolume),
    links: links(req, 'volumes', v.id),
  }
  if (Object.keys(v.image_metadata).length) out.volume_image_metadata = v.image_metadata
  if (admin) {
    out['os-vol-host-attr:host'] = extra.host
    out['os-vol-tenant-attr:tenant_id'] = v.project_id
    out['os-vol-mig-status-attr:migstat'] = null
    out['os-vol-mig-status-attr:name_id'] = null
  }
  if (atLeast(req, '3.13')) out.group_id = null
  if (atLeast(req, '3.21') && admin) out.provider_id = null
  if (atLeast(req, '3.48')) {
    out.shared_targets = false
    out.service_uuid = null
  }
  return out
}

export function snapshotView(req: ApiRequest, s: Snapshot) {
  const out: Record<string, unknown> = {
    id: s.id,
    name: s.name,
    description: s.description,
    volume_id: s.volume_id,
    status: s.status,
    size: s.size,
    metadata: s.metadata,
    created_at: s.created_at,
    updated_at: s.updated_at,
    'os-extended-snapshot-attributes:project_id': s.project_id,
    'os-extended-snapshot-attributes:progress': s.status === 'available' ? '100%' : '0%',
  }
  if (atLeast(req, '3.14')) out.group_snapshot_id = null
  if (atLeast(req, '3.41')) out.user_id = s.user_id
  return out
}

export function typeView(req: ApiRequest, t: VolumeType) {
  const out: Record<string, unknown> = {
    id: t.id,
    name: t.name,
    description: t.description,
    is_public: t.is_public,
    'os-volume-type-access:is_public': t.is_public,
    qos_specs_id: null,
  }
  // Cinder shows extra specs to admins only (they may name backends).
  out.extra_specs = isAdmin(req.ctx) ? t.extra_specs : {}
  return out
}

export function attachmentView(a: Attachment, opts: { detail: boolean; connectionInfo?: boolean }) {
  const status = a.attach_status
  const out: Record<string, unknown> = { id: a.id, status, instance: a.server_id, volume_id: a.volume_id }
  if (opts.detail) {
    out.attached_at = a.attached_at
    out.detached_at = null
    out.attach_mode = a.mode
    // What a hypervisor would connect to: here the disk stays behind the internal VolumeClient (no path leaves it).
    out.connection_info = a.connector && opts.connectionInfo !== false ? { driver_volume_type: 'stackling_file', data: { volume_id: a.volume_id, access_mode: a.mode } } : {}
  }
  return out
}
