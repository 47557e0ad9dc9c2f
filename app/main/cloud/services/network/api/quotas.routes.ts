import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import { S } from '../../../platform/http/validation'
import { DEFAULT_QUOTAS } from '../models'
import type { NetworkManager } from '../network-manager'

/** /v2.0/quotas: list (admin), show, update, reset, defaults, details (quota_details extension). */
export function registerQuotaRoutes(router: Router, manager: NetworkManager): void {
  const target = (req: ApiRequest) => ({ project_id: req.params.project_id })
  const withIds = (projectId: string, q: Record<string, unknown>) => ({ ...q, project_id: projectId, tenant_id: projectId })

  router.get('/v2.0/quotas', { policy: 'network:get_quotas' }, async () => {
    const projects = await manager.listQuotaProjects()
    return json(200, { quotas: await Promise.all(projects.map(async (p) => withIds(p, await manager.quotaOf(p)))) })
  })
  router.get('/v2.0/quotas/:project_id/default', { policy: 'network:get_quota', target }, (req) =>
    json(200, { quota: withIds(req.params.project_id!, { ...DEFAULT_QUOTAS }) }),
  )
  router.get('/v2.0/quotas/:project_id/details', { policy: 'network:get_quota', target }, async (req) =>
    json(200, { quota: await manager.quotaDetails(req.params.project_id!) }),
  )
  router.get('/v2.0/quotas/:project_id', { policy: 'network:get_quota', target }, async (req) =>
    json(200, { quota: await manager.quotaOf(req.params.project_id!) }),
  )
  router.put('/v2.0/quotas/:project_id', { policy: 'network:update_quota', target, body: S.wrapped('quota', { type: 'object' }) }, async (req: ApiRequest<{ quota: Record<string, unknown> }>) =>
    json(200, { quota: await manager.updateQuota(req.params.project_id!, req.body.quota) }),
  )
  router.delete('/v2.0/quotas/:project_id', { policy: 'network:delete_quota', target }, async (req) => {
    await manager.resetQuota(req.params.project_id!)
    return noContent()
  })
}
