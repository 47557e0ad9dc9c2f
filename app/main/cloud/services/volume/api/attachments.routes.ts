import { BadRequest, NotFound } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import { AttachmentNotFound, VolumeNotFound } from '../errors'
import type { Attachment } from '../models'
import { admin, type VolumeApi } from './context'
import { allTenants, listQuery } from './list-query'
import { atLeast, attachmentView } from './views'

const P = '/v3/:project_id'

/** The attachments API (3.27+; os-complete from 3.44): the records Nova's new-style attach flow drives. */
export function registerAttachmentRoutes(router: Router, api: VolumeApi): void {
  const { manager } = api
  const need = (req: ApiRequest, v: string) => {
    // Cinder answers a call below the resource's microversion as if the URL did not exist.
    if (!atLeast(req, v)) throw new NotFound(`The attachments API needs microversion ${v} or later (openstack --os-volume-api-version ${v} …).`)
  }
  type Loaded = Attachment & { project_id: string }
  const byId = {
    load: async (req: ApiRequest): Promise<Loaded> => {
      need(req, '3.27')
      const a = await manager.repo.attachment(req.params.id!)
      const v = a && (await manager.repo.volume(a.volume_id))
      if (!a || !v) throw new AttachmentNotFound(req.params.id!)
      return { ...a, project_id: v.project_id }
    },
    target: (_req: ApiRequest, a: Loaded) => ({ project_id: a.project_id }),
    hidden: (req: ApiRequest) => new AttachmentNotFound(req.params.id!),
  }

  const list = (detail: boolean) => async (req: ApiRequest) => {
    need(req, '3.27')
    const all = allTenants(req, admin(req))
    const volumes = new Map((await manager.repo.volumes(all ? undefined : req.ctx.projectId ?? '')).map((v) => [v.id, v]))
    const attachments = (await manager.repo.allAttachments()).filter((a) => volumes.has(a.volume_id))
    const { page } = listQuery(req, attachments, {
      collection: 'attachments',
      sortKeys: ['id', 'created_at', 'volume_id'],
      filters: {
        volume_id: (a, x) => a.volume_id === x,
        instance_id: (a, x) => a.server_id === x,
        status: (a, x) => a.attach_status === x,
        attach_status: (a, x) => a.attach_status === x,
      },
    })
    return json(200, { attachments: page.map((a) => attachmentView(a, { detail })) })
  }
  router.get(`${P}/attachments/detail`, { policy: 'volume:attachment:get_all' }, list(true))
  router.get(`${P}/attachments`, { policy: 'volume:attachment:get_all' }, list(false))

  router.post(
    `${P}/attachments`,
    {
      policy: 'volume:attachment:create',
      body: {
        type: 'object',
        required: ['attachment'],
        properties: {
          attachment: {
            type: 'object',
            properties: {
              volume_uuid: { type: 'string' },
              volume_id: { type: 'string' },
              instance_uuid: { type: ['string', 'null'] },
              connector: { type: ['object', 'null'] },
              mode: { enum: ['rw', 'ro', null] },
            },
          },
        },
      },
    },
    async (req: ApiRequest<{ attachment: Record<string, any> }>) => {
      need(req, '3.27')
      const b = req.body.attachment
      const volumeId = b.volume_uuid ?? b.volume_id
      if (!volumeId) throw new BadRequest("Invalid input received: 'volume_uuid' is a required property.", 'attachment/volume_uuid')
      if (!b.instance_uuid) throw new BadRequest('Invalid input received: attachments without an instance_uuid are not supported.', 'attachment/instance_uuid')
      const v = await manager.get(req.ctx, volumeId)
      const compute = api.compute()
      if (compute && !(await compute.serverExists(b.instance_uuid))) throw new NotFound(`Instance ${b.instance_uuid} could not be found.`)
      const connector = b.connector && Object.keys(b.connector).length ? (b.connector as Record<string, unknown>) : null
      const a = await manager.reserve(v.id, b.instance_uuid, { status: connector ? 'attaching' : 'reserved', connector, mode: b.mode === 'ro' ? 'ro' : 'rw' })
      return json(200, { attachment: attachmentView(a, { detail: true }) })
    },
  )
  router.get(`${P}/attachments/:id`, { policy: 'volume:attachment:get', ...byId }, (_req, a: Loaded) => json(200, { attachment: attachmentView(a, { detail: true }) }))
  router.put(
    `${P}/attachments/:id`,
    { policy: 'volume:attachment:update', body: { type: 'object', required: ['attachment'], properties: { attachment: { type: 'object', required: ['connector'], properties: { connector: { type: 'object' } } } } }, ...byId },
    async (req: ApiRequest<{ attachment: { connector: Record<string, unknown> } }>, a: Loaded) =>
      json(200, { attachment: attachmentView(await manager.connect(a.id, req.body.attachment.connector), { detail: true }) }),
  )
  router.delete(`${P}/attachments/:id`, { policy: 'volume:attachment:delete', ...byId }, async (_req, a: Loaded) => {
    await manager.deleteAttachment(a.id)
    return json(200, { attachments: [] })
  })
  router.post(`${P}/attachments/:id/action`, { policy: 'volume:attachment:complete', body: { type: 'object', minProperties: 1 }, ...byId }, async (req: ApiRequest<Record<string, unknown>>, a: Loaded) => {
    need(req, '3.44')
    if (!('os-complete' in req.body)) throw new BadRequest(`Invalid input received: there is no attachment action '${Object.keys(req.body)[0]}'.`)
    if (!(await manager.repo.volume(a.volume_id))) throw new VolumeNotFound(a.volume_id)
    await manager.completeAttach(a.volume_id, a.id, a.device)
    return { status: 204 }
  })
}
