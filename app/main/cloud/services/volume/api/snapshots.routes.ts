import { BadRequest } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import { SnapshotNotFound } from '../errors'
import type { Snapshot } from '../models'
import { admin, projectTarget, type VolumeApi } from './context'
import { allTenants, boolParam, listQuery, metadataFilter } from './list-query'
import { snapshotView } from './views'

const P = '/v3/:project_id'
const nullableString = (max = 255) => ({ type: ['string', 'null'], maxLength: max })
const metadataSchema = { type: ['object', 'null'], additionalProperties: { type: ['string', 'null'], maxLength: 255 } }
const strings = (m: Record<string, string | null> | null | undefined) => (m ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v ?? ''])) : undefined)

export function registerSnapshotRoutes(router: Router, api: VolumeApi): void {
  const { manager } = api
  const byId = {
    load: async (req: ApiRequest) => {
      const s = await manager.repo.snapshot(req.params.id!)
      if (!s) throw new SnapshotNotFound(req.params.id!)
      return s
    },
    target: projectTarget,
    hidden: (req: ApiRequest) => new SnapshotNotFound(req.params.id!),
  }

  const list = (detail: boolean) => async (req: ApiRequest) => {
    const all = allTenants(req, admin(req))
    const snaps = await manager.repo.snapshots(all ? req.query.get('project_id') ?? undefined : req.ctx.projectId ?? '')
    const { page, links, count } = listQuery(req, snaps, {
      collection: 'snapshots',
      sortKeys: ['id', 'name', 'status', 'size', 'created_at', 'updated_at', 'volume_id'],
      filters: {
        name: (s, x) => s.name === x,
        display_name: (s, x) => s.name === x,
        status: (s, x) => s.status === x,
        volume_id: (s, x) => s.volume_id === x,
        metadata: (s, x) => Object.entries(metadataFilter(x)).every(([k, v]) => s.metadata[k] === v),
      },
    })
    const body: Record<string, unknown> = {
      snapshots: page.map((s) => (detail ? snapshotView(req, s) : { id: s.id, name: s.name, volume_id: s.volume_id, status: s.status, size: s.size, created_at: s.created_at, description: s.description, metadata: s.metadata })),
    }
    if (links) body.snapshots_links = links
    if (count !== undefined) body.count = count
    return json(200, body)
  }
  router.get(`${P}/snapshots/detail`, { policy: 'volume:snapshot:get_all' }, list(true))
  router.get(`${P}/snapshots`, { policy: 'volume:snapshot:get_all' }, list(false))

  router.post(
    `${P}/snapshots`,
    {
      policy: 'volume:snapshot:create',
      body: {
        type: 'object',
        required: ['snapshot'],
        properties: {
          snapshot: {
            type: 'object',
            required: ['volume_id'],
            properties: {
              volume_id: { type: 'string', minLength: 1, maxLength: 64 },
              name: nullableString(),
              display_name: nullableString(),
              description: nullableString(1024),
              display_description: nullableString(1024),
              force: { type: ['boolean', 'string', 'null'] },
              metadata: metadataSchema,
            },
          },
        },
      },
    },
    async (req: ApiRequest<{ snapshot: Record<string, any> }>) => {
      const b = req.body.snapshot
      const force = b.force === undefined || b.force === null ? false : typeof b.force === 'boolean' ? b.force : boolParam(String(b.force))
      if (typeof b.force === 'string' && !/^(true|false|1|0|yes|no|t|f|on|off)$/i.test(b.force)) throw new BadRequest(`Invalid value '${b.force}' for force.`, 'snapshot/force')
      const s = await manager.createSnapshot(req.ctx, {
        volume_id: b.volume_id,
        name: b.name ?? b.display_name ?? null,
        description: b.description ?? b.display_description ?? null,
        metadata: strings(b.metadata) ?? {},
        // From 3.66 an in-use volume is snapshotted without force, as in Cinder.
        force: force || (req.microversion !== undefined && Number(req.microversion.split('.')[1]) >= 66),
      })
      return json(202, { snapshot: snapshotView(req, s) })
    },
  )

  router.get(`${P}/snapshots/:id`, { policy: 'volume:snapshot:get', ...byId }, (req, s: Snapshot) => json(200, { snapshot: snapshotView(req, s) }))
  router.put(
    `${P}/snapshots/:id`,
    {
      policy: 'volume:snapshot:update',
      body: { type: 'object', required: ['snapshot'], properties: { snapshot: { type: 'object', properties: { name: nullableString(), display_name: nullableString(), description: nullableString(1024), display_description: nullableString(1024) } } } },
      ...byId,
    },
    async (req: ApiRequest<{ snapshot: Record<string, any> }>, s: Snapshot) => {
      const b = req.body.snapshot
      const updated = await manager.updateSnapshot(s.id, {
        name: b.name !== undefined ? b.name : b.display_name,
        description: b.description !== undefined ? b.description : b.display_description,
      })
      return json(200, { snapshot: snapshotView(req, updated) })
    },
  )
  router.delete(`${P}/snapshots/:id`, { policy: 'volume:snapshot:delete', ...byId }, async (_req, s: Snapshot) => {
    await manager.deleteSnapshot(s.id)
    return { status: 202, text: '', headers: { 'Content-Length': 0 } }
  })
  router.get(`${P}/snapshots/:id/metadata`, { policy: 'volume:snapshot:get', ...byId }, (_req, s: Snapshot) => json(200, { metadata: s.metadata }))
  const setMeta = (replace: boolean) => async (req: ApiRequest<{ metadata: Record<string, string> }>, s: Snapshot) => {
    const metadata = replace ? strings(req.body.metadata) ?? {} : { ...s.metadata, ...strings(req.body.metadata) }
    return json(200, { metadata: (await manager.updateSnapshot(s.id, { metadata })).metadata })
  }
  const metaBody = { type: 'object', required: ['metadata'], properties: { metadata: metadataSchema } }
  router.post(`${P}/snapshots/:id/metadata`, { policy: 'volume:snapshot:update', body: metaBody, ...byId }, setMeta(false))
  router.put(`${P}/snapshots/:id/metadata`, { policy: 'volume:snapshot:update', body: metaBody, ...byId }, setMeta(true))
  router.delete(`${P}/snapshots/:id/metadata/:key`, { policy: 'volume:snapshot:update', ...byId }, async (req, s: Snapshot) => {
    const { [req.params.key!]: gone, ...rest } = s.metadata
    if (gone === undefined) throw new SnapshotNotFound(`${s.id} metadata ${req.params.key}`)
    await manager.updateSnapshot(s.id, { metadata: rest })
    return { status: 200, text: '', headers: { 'Content-Length': 0 } }
  })
  router.post(`${P}/snapshots/:id/action`, { policy: 'volume:snapshot:update', body: { type: 'object', minProperties: 1 }, ...byId }, async (req: ApiRequest<Record<string, any>>, s: Snapshot) => {
    const [action, arg] = Object.entries(req.body)[0]!
    if (action === 'os-reset_status') {
      api.policy.enforce(req.ctx, 'volume:snapshot:reset_status', { project_id: s.project_id })
      await manager.resetSnapshotStatus(s.id, String((arg as { status?: string })?.status))
      return { status: 202, text: '', headers: { 'Content-Length': 0 } }
    }
    if (action === 'os-force_delete') {
      api.policy.enforce(req.ctx, 'volume:snapshot:reset_status', { project_id: s.project_id })
      await manager.resetSnapshotStatus(s.id, 'error')
      await manager.deleteSnapshot(s.id)
      return { status: 202, text: '', headers: { 'Content-Length': 0 } }
    }
    throw new BadRequest(`Invalid input received: there is no snapshot action '${action}'.`)
  })
}
