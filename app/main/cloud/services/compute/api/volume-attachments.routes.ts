import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest, type Reply } from '../../../platform/http/types'
import type { ComputeManager } from '../compute-manager'
import type { ComputeRepository } from '../compute-repository'
import type { VolumeAttachment } from '../models'
import { serverRoute } from './server-route'

/** Nova's parameter_types.volume_id (a UUID) and device_name; `tag` and `delete_on_termination` need 2.49 / 2.79. */
const ATTACH = {
  type: 'object',
  properties: {
    volumeAttachment: {
      type: 'object',
      properties: {
        volumeId: { type: 'string', pattern: '^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$' },
        device: { type: ['string', 'null'], maxLength: 255 },
      },
      required: ['volumeId'],
      additionalProperties: false,
    },
  },
  required: ['volumeAttachment'],
  additionalProperties: false,
}

/** A volume attachment at microversion 2.1 (the id is the volume id). */
export function volumeAttachmentView(a: VolumeAttachment) {
  return { id: a.volume_id, serverId: a.instance_id, volumeId: a.volume_id, device: a.device }
}

const accepted = (): Reply => ({ status: 202, text: '', headers: { 'Content-Length': 0 } })

/** os-volume_attachments: what `openstack server add volume` / `server remove volume` use. */
export function registerVolumeAttachmentRoutes(router: Router, manager: ComputeManager, repo: ComputeRepository): void {
  const one = (policy: string) => serverRoute(repo, policy)
  const base = '/v2.1/servers/:server_id/os-volume_attachments'

  router.get(base, one('compute:os-volumes-attachments:index'), async (_req, i) => {
    return json(200, { volumeAttachments: (await manager.volumes.list(i.id)).map(volumeAttachmentView) })
  })
  router.get(`${base}/:volume_id`, one('compute:os-volumes-attachments:show'), async (req, i) => {
    return json(200, { volumeAttachment: volumeAttachmentView(await manager.volumes.show(i, req.params.volume_id!)) })
  })
  router.post(base, { ...one('compute:os-volumes-attachments:create'), body: ATTACH }, async (req: ApiRequest<{ volumeAttachment: { volumeId: string; device?: string | null } }>, i) => {
    await manager.whenReady()
    const { volumeId, device } = req.body.volumeAttachment
    const a = await manager.volumes.attach(req.ctx, i, volumeId, device, req.id)
    return json(200, { volumeAttachment: volumeAttachmentView(a) })
  })
  router.delete(`${base}/:volume_id`, one('compute:os-volumes-attachments:delete'), async (req, i) => {
    await manager.whenReady()
    await manager.volumes.detach(req.ctx, i, req.params.volume_id!, req.id)
    return accepted()
  })
}
