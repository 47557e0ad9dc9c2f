import { BadRequest, NotImplemented } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import { InvalidVolumeState, VolumeNotFound } from '../errors'
import type { Volume, VolumeStatus } from '../models'
import { admin, projectTarget, renderVolume, renderVolumes, type VolumeApi } from './context'
import { allTenants, boolParam, listQuery, metadataFilter } from './list-query'
import { atLeast, volumeSummary } from './views'

const P = '/v3/:project_id'
const nullableString = (max = 255) => ({ type: ['string', 'null'], maxLength: max })
const metadataSchema = { type: ['object', 'null'], additionalProperties: { type: ['string', 'null'], maxLength: 255 }, propertyNames: { maxLength: 255 } }
const sizeSchema = { type: ['integer', 'string', 'null'] }

const CREATE_SCHEMA = {
  type: 'object',
  required: ['volume'],
  properties: {
    volume: {
      type: 'object',
      properties: {
        size: sizeSchema,
        name: nullableString(),
        display_name: nullableString(),
        description: nullableString(1024),
        display_description: nullableString(1024),
        metadata: metadataSchema,
        volume_type: nullableString(),
        availability_zone: nullableString(),
        snapshot_id: nullableString(64),
        source_volid: nullableString(64),
        imageRef: nullableString(64),
        image_id: nullableString(64),
        backup_id: nullableString(64),
        multiattach: { type: ['boolean', 'null'] },
      },
    },
  },
}
const UPDATE_SCHEMA = {
  type: 'object',
  required: ['volume'],
  properties: {
    volume: {
      type: 'object',
      properties: { name: nullableString(), display_name: nullableString(), description: nullableString(1024), display_description: nullableString(1024), metadata: metadataSchema },
    },
  },
}
const METADATA_SCHEMA = { type: 'object', required: ['metadata'], properties: { metadata: metadataSchema } }
const META_ITEM_SCHEMA = { type: 'object', required: ['meta'], properties: { meta: { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: { type: 'string', maxLength: 255 } } } }

/** "12" or 12 → 12; anything else is a 400 naming the field. */
export function intOf(v: unknown, field: string): number | undefined {
  if (v === null || v === undefined) return undefined
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new BadRequest(`Invalid input for field/attribute ${field}. Value: ${String(v)}. must be an integer`, field)
  return n
}

const strings = (m: Record<string, string | null> | null | undefined): Record<string, string> | undefined =>
  m ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v ?? ''])) : undefined

export function registerVolumeRoutes(router: Router, api: VolumeApi): void {
  const { manager } = api
  const load = (req: ApiRequest) => manager.repo.volume(req.params.id!).then((v) => {
    if (!v) throw new VolumeNotFound(req.params.id!)
    return v
  })
  const byId = { load, target: projectTarget, hidden: (req: ApiRequest) => new VolumeNotFound(req.params.id!) }

  const list = (detail: boolean) => async (req: ApiRequest) => {
    const all = allTenants(req, admin(req))
    const projectFilter = all ? req.query.get('project_id') : null
    const volumes = await manager.repo.volumes(all ? projectFilter ?? undefined : req.ctx.projectId ?? '')
    const { page, links, count } = listQuery(req, volumes, {
      collection: 'volumes',
      sortKeys: ['id', 'name', 'status', 'size', 'created_at', 'updated_at', 'availability_zone', 'bootable'],
      filters: {
        name: (v, x) => v.name === x,
        display_name: (v, x) => v.name === x,
        status: (v, x) => v.status === x,
        bootable: (v, x) => v.bootable === boolParam(x),
        availability_zone: (v, x) => v.availability_zone === x,
        volume_type: (v, x) => v.volume_type_id === x,
        metadata: (v, x) => Object.entries(metadataFilter(x)).every(([k, val]) => v.metadata[k] === val),
        id: (v, x) => v.id === x,
      },
    })
    const body: Record<string, unknown> = { volumes: detail ? await renderVolumes(api, req, page) : page.map((v) => volumeSummary(req, v)) }
    if (links) body.volumes_links = links
    if (count !== undefined) body.count = count
    return json(200, body)
  }
  router.get(`${P}/volumes/detail`, { policy: 'volume:get_all' }, list(true))
  router.get(`${P}/volumes/summary`, { policy: 'volume:get_all' }, async (req) => {
    const volumes = await manager.repo.volumes(allTenants(req, admin(req)) ? undefined : req.ctx.projectId ?? '')
    return json(200, { 'volume-summary': { total_count: volumes.length, total_size: volumes.reduce((s, v) => s + v.size, 0), metadata: {} } })
  })
  router.get(`${P}/volumes`, { policy: 'volume:get_all' }, list(false))

  router.post(`${P}/volumes`, { policy: 'volume:create', body: CREATE_SCHEMA }, async (req: ApiRequest<{ volume: Record<string, any> }>) => {
    const b = req.body.volume
    if (b.backup_id) throw new NotImplemented('Creating a volume from a backup in volume create (backup_id) is not implemented: restore the backup instead (openstack volume backup restore BACKUP VOLUME_NAME), which creates the volume.')
    if (b.multiattach) throw new BadRequest('Invalid input received: multiattach volumes are not supported by this cloud.', 'volume/multiattach')
    const v = await manager.create(req.ctx, {
      size: intOf(b.size, 'size'),
      name: b.name ?? b.display_name ?? null,
      description: b.description ?? b.display_description ?? null,
      metadata: strings(b.metadata) ?? {},
      volume_type: b.volume_type,
      availability_zone: b.availability_zone,
      snapshot_id: b.snapshot_id,
      source_volid: b.source_volid,
      imageRef: b.imageRef ?? b.image_id,
    })
    return json(202, { volume: await renderVolume(api, req, v) })
  })

  router.get(`${P}/volumes/:id`, { policy: 'volume:get', ...byId }, async (req, v: Volume) => json(200, { volume: await renderVolume(api, req, v) }))

  router.put(`${P}/volumes/:id`, { policy: 'volume:update', body: UPDATE_SCHEMA, ...byId }, async (req: ApiRequest<{ volume: Record<string, any> }>, v: Volume) => {
    const b = req.body.volume
    const name = b.name !== undefined ? b.name : b.display_name
    const description = b.description !== undefined ? b.description : b.display_description
    const updated = await manager.update(v.id, { name, description, metadata: strings(b.metadata) })
    return json(200, { volume: await renderVolume(api, req, updated) })
  })

  router.delete(`${P}/volumes/:id`, { policy: 'volume:delete', ...byId }, async (req, v: Volume) => {
    const force = boolParam(req.query.get('force') ?? '')
    if (force) api.policy.enforce(req.ctx, 'volume:force_delete', { project_id: v.project_id })
    await manager.delete(v.id, { cascade: boolParam(req.query.get('cascade') ?? ''), force })
    return { status: 202, text: '', headers: { 'Content-Length': 0 } }
  })

  // Metadata
  router.get(`${P}/volumes/:id/metadata`, { policy: 'volume:metadata:get', ...byId }, (_req, v: Volume) => json(200, { metadata: v.metadata }))
  router.post(`${P}/volumes/:id/metadata`, { policy: 'volume:metadata:update', body: METADATA_SCHEMA, ...byId }, async (req: ApiRequest<{ metadata: Record<string, string> }>, v: Volume) =>
    json(200, { metadata: await manager.setMetadata(v.id, strings(req.body.metadata) ?? {}, false) }),
  )
  router.put(`${P}/volumes/:id/metadata`, { policy: 'volume:metadata:update', body: METADATA_SCHEMA, ...byId }, async (req: ApiRequest<{ metadata: Record<string, string> }>, v: Volume) =>
    json(200, { metadata: await manager.setMetadata(v.id, strings(req.body.metadata) ?? {}, true) }),
  )
  router.get(`${P}/volumes/:id/metadata/:key`, { policy: 'volume:metadata:get', ...byId }, (req, v: Volume) => {
    const key = req.params.key!
    if (!(key in v.metadata)) throw new VolumeNotFound(`${v.id} metadata ${key}`)
    return json(200, { meta: { [key]: v.metadata[key] } })
  })
  router.put(`${P}/volumes/:id/metadata/:key`, { policy: 'volume:metadata:update', body: META_ITEM_SCHEMA, ...byId }, async (req: ApiRequest<{ meta: Record<string, string> }>, v: Volume) => {
    const [k, val] = Object.entries(req.body.meta)[0]!
    if (k !== req.params.key) throw new BadRequest('Request body and URI mismatch')
    await manager.setMetadata(v.id, { [k]: val }, false)
    return json(200, { meta: { [k]: val } })
  })
  router.delete(`${P}/volumes/:id/metadata/:key`, { policy: 'volume:metadata:update', ...byId }, async (req, v: Volume) => {
    await manager.deleteMetadataKey(v.id, req.params.key!)
    return { status: 200, text: '', headers: { 'Content-Length': 0 } }
  })

  // Actions
  router.post(
    `${P}/volumes/:id/action`,
    { policy: 'volume:action', body: { type: 'object', minProperties: 1 }, ...byId },
    async (req: ApiRequest<Record<string, any>>, v: Volume) => {
      const [action, arg] = Object.entries(req.body)[0]!
      const a = (arg ?? {}) as Record<string, any>
      const accepted = () => ({ status: 202, text: '', headers: { 'Content-Length': 0 } })
      switch (action) {
        case 'os-extend': {
          const size = intOf(a.new_size, 'new_size')
          if (size === undefined) throw new BadRequest("Invalid input for field/attribute new_size: 'new_size' is a required property", 'new_size')
          const inUseAllowed = atLeast(req, '3.42')
          if (v.status === 'in-use' && inUseAllowed) api.policy.enforce(req.ctx, 'volume:extend_attached_volume', { project_id: v.project_id })
          await manager.extend(v.id, size, inUseAllowed)
          return accepted()
        }
        case 'os-set_bootable': {
          const b = a.bootable
          const bootable = typeof b === 'boolean' ? b : typeof b === 'string' && /^(true|false|1|0|yes|no|t|f)$/i.test(b) ? boolParam(b) : undefined
          if (bootable === undefined) throw new BadRequest(`Invalid input received: bootable must be a boolean, not ${JSON.stringify(b)}.`, 'bootable')
          await manager.setBootable(v.id, bootable)
          return { status: 200, text: '', headers: { 'Content-Length': 0 } }
        }
        case 'os-set_image_metadata':
          return json(200, { metadata: await manager.setImageMetadata(v.id, strings(a.metadata) ?? {}) })
        case 'os-unset_image_metadata':
          await manager.setImageMetadata(v.id, {}, String(a.key))
          return { status: 200, text: '', headers: { 'Content-Length': 0 } }
        case 'os-show_image_metadata':
          return json(200, { metadata: v.image_metadata })
        case 'os-update_readonly_flag':
          // Cinder keeps it in the admin metadata and shows it as metadata.readonly.
          await manager.setMetadata(v.id, { readonly: boolParam(String(a.readonly)) ? 'True' : 'False' }, false)
          return accepted()
        case 'os-reset_status':
          api.policy.enforce(req.ctx, 'volume:reset_status', { project_id: v.project_id })
          if (a.status) await manager.resetStatus(v.id, a.status as VolumeStatus)
          return accepted()
        case 'os-force_delete':
          api.policy.enforce(req.ctx, 'volume:force_delete', { project_id: v.project_id })
          await manager.delete(v.id, { force: true })
          return accepted()
        case 'os-reserve':
          await manager.reserve(v.id, String(a.instance_uuid ?? 'unknown'), { status: 'attaching' })
          return accepted()
        case 'os-unreserve': {
          const pending = (await manager.repo.attachmentsOf(v.id)).find((x) => x.attach_status === 'attaching' || x.attach_status === 'reserved')
          if (!pending) throw new InvalidVolumeState(v.id, 'unreserve it', v.status, ['attaching', 'reserved'])
          await manager.unreserve(v.id, pending.id)
          return accepted()
        }
        case 'os-attach': {
          if (!a.instance_uuid) throw new BadRequest('Invalid input received: os-attach needs instance_uuid (attaching to a host is not supported).', 'instance_uuid')
          const mode = a.mode === 'ro' ? 'ro' : 'rw'
          await manager.legacyAttach(v.id, String(a.instance_uuid), a.mountpoint ? String(a.mountpoint) : null, mode)
          return accepted()
        }
        case 'os-begin_detaching':
          await manager.beginDetaching(v.id, undefined)
          return accepted()
        case 'os-roll_detaching':
          await manager.rollDetaching(v.id, undefined)
          return accepted()
        case 'os-detach':
          await manager.completeDetach(v.id, a.attachment_id ? String(a.attachment_id) : undefined)
          return accepted()
        case 'os-initialize_connection':
          return json(200, { connection_info: { driver_volume_type: 'stackling_file', data: { volume_id: v.id, access_mode: 'rw' } } })
        case 'os-terminate_connection':
          return accepted()
        case 'os-retype':
        case 'os-migrate_volume':
        case 'os-migrate_volume_completion':
        case 'os-volume_upload_image':
        case 'revert':
        case 'os-reimage':
          throw new NotImplemented(`The volume action ${action} is not implemented in this Stackling release.`)
        default:
          throw new BadRequest(`Invalid input received: there is no volume action '${action}'.`)
      }
    },
  )
}
