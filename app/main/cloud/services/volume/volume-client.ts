import type { AuthContext } from '../../platform/auth-context'
import type { VolumeClient, VolumeInfo } from '../clients'
import { VolumeBuildFailed, type VolumeManager } from './volume-manager'
import { VolumeNotFound } from './errors'
import type { Volume } from './models'

/**
 * What compute gets (Nova's cinder client): each call is one checked transition in the manager and throws the
 * volume service's ApiError (404 VolumeNotFound, 409 InvalidVolumeState) for compute to answer with.
 */
export function createVolumeClient(manager: VolumeManager): VolumeClient {
  const info = async (v: Volume): Promise<VolumeInfo> => ({
    id: v.id,
    project_id: v.project_id,
    name: v.name ?? '',
    size: v.size,
    status: v.status,
    bootable: v.bootable,
    file: manager.driver.path(manager.ref(v)),
    // 'vhdx' with the Hyper-V volume driver: VolumeInfo's type names only qcow2 | raw so far.
    format: v.format as VolumeInfo['format'],
    attachments: (await manager.repo.attachmentsOf(v.id)).map((a) => ({ attachment_id: a.id, server_id: a.server_id, device: a.device })),
    image_metadata: v.image_metadata,
  })
  return {
    async get(ctx: AuthContext, volumeId: string) {
      const v = await manager.get(ctx, volumeId).catch(() => undefined)
      return v && info(v)
    },
    async reserve(ctx, volumeId, serverId) {
      await manager.get(ctx, volumeId)
      return (await manager.reserve(volumeId, serverId, { status: 'attaching' })).id
    },
    async completeAttach(volumeId, attachmentId, device) {
      return info(await manager.completeAttach(volumeId, attachmentId, device))
    },
    unreserve: (volumeId, attachmentId) => manager.unreserve(volumeId, attachmentId),
    beginDetaching: (volumeId, attachmentId) => manager.beginDetaching(volumeId, attachmentId),
    rollDetaching: (volumeId, attachmentId) => manager.rollDetaching(volumeId, attachmentId),
    completeDetach: (volumeId, attachmentId) => manager.completeDetach(volumeId, attachmentId),
    async attachmentsOfServer(serverId) {
      return (await manager.repo.attachmentsOfServer(serverId)).map((a) => ({ volume_id: a.volume_id, attachment_id: a.id, device: a.device }))
    },
    async createFromImage(ctx, fields) {
      const created = await manager.create(ctx, { imageRef: fields.image_id, size: fields.size, name: fields.name, metadata: {} })
      await manager.whenBuilt(created.id)
      const v = await manager.repo.volume(created.id)
      if (!v) throw new VolumeNotFound(created.id)
      if (v.status !== 'available') throw new VolumeBuildFailed(`Volume ${v.id} could not be created from image ${fields.image_id}: ${v.fault ?? v.status}`)
      return info(v)
    },
    async deleteVolume(volumeId) {
      await manager.delete(volumeId)
    },
  }
}
