import { isAdmin } from '../../../platform/auth-context'
import type { PolicyEnforcer } from '../../../platform/policy'
import type { ApiRequest } from '../../../platform/http/types'
import type { ComputeClient } from '../../clients'
import type { Volume } from '../models'
import type { VolumeManager } from '../volume-manager'
import { volumeView } from './views'

/** What the route files share. */
export interface VolumeApi {
  manager: VolumeManager
  policy: PolicyEnforcer
  compute: () => ComputeClient | undefined
}

/** Volumes → JSON with their attachments and type names, in two queries however many there are. */
export async function renderVolumes(api: VolumeApi, req: ApiRequest, volumes: Volume[]) {
  const attachments = await api.manager.repo.attachmentsOfVolumes(volumes.map((v) => v.id))
  const types = new Map((await api.manager.repo.types()).map((t) => [t.id, t]))
  return volumes.map((v) => volumeView(req, v, { attachments: attachments.get(v.id) ?? [], type: types.get(v.volume_type_id), host: api.manager.hostOf(v) }))
}

export async function renderVolume(api: VolumeApi, req: ApiRequest, v: Volume) {
  return (await renderVolumes(api, req, [v]))[0]!
}

/** A foreign project's resource is "not found" (the gateway's `hidden`), so load by id and target its project. */
export const projectTarget = (_req: ApiRequest, r: { project_id: string }) => ({ project_id: r.project_id })

export const admin = (req: ApiRequest) => isAdmin(req.ctx)
