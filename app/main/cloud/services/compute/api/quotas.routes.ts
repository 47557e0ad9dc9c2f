import { isAdmin } from '../../../platform/auth-context'
import { BadRequest, Forbidden } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import type { ComputeManager } from '../compute-manager'
import type { ComputeRepository } from '../compute-repository'
import { QUOTA_DEFAULTS } from '../models'

/** Resources Nova 2.1 still lists in a quota set but that live elsewhere (network) or are unlimited here. */
const LEGACY = { fixed_ips: -1, floating_ips: -1, security_groups: -1, security_group_rules: -1 }

export function registerQuotaRoutes(router: Router, repo: ComputeRepository, manager: ComputeManager): void {
  const inUse = async (projectId: string, userId: string) => {
    const u = await repo.usage(projectId)
    return { instances: u.instances, cores: u.cores, ram: u.ram, key_pairs: await repo.countKeypairs(userId) }
  }

  router.get('/v2.1/limits', { policy: 'compute:limits' }, async (req) => {
    const project = req.query.get('tenant_id') && isAdmin(req.ctx) ? req.query.get('tenant_id')! : req.ctx.projectId ?? ''
    const q = await manager.quotas(project)
    const used = await inUse(project, req.ctx.userId)
    return json(200, {
      limits: {
        rate: [],
        absolute: {
          maxServerMeta: q.metadata_items,
          maxPersonality: q.injected_files,
          maxPersonalitySize: q.injected_file_content_bytes,
          maxImageMeta: q.metadata_items,
          maxTotalKeypairs: q.key_pairs,
          maxServerGroups: q.server_groups,
          maxServerGroupMembers: q.server_group_members,
          maxTotalCores: q.cores,
          maxTotalInstances: q.instances,
          maxTotalRAMSize: q.ram,
          maxSecurityGroups: -1,
          maxSecurityGroupRules: -1,
          maxTotalFloatingIps: -1,
          totalCoresUsed: used.cores,
          totalInstancesUsed: used.instances,
          totalRAMUsed: used.ram,
          totalServerGroupsUsed: 0,
          totalSecurityGroupsUsed: 0,
          totalFloatingIpsUsed: 0,
        },
      },
    })
  })

  const quotaSet = async (projectId: string, detail: boolean, userId: string) => {
    const q = { ...(await manager.quotas(projectId)), ...LEGACY }
    if (!detail) return { id: projectId, ...q }
    const used = await inUse(projectId, userId)
    return { id: projectId, ...Object.fromEntries(Object.entries(q).map(([k, v]) => [k, { limit: v, in_use: (used as Record<string, number>)[k] ?? 0, reserved: 0 }])) }
  }
  const target = (req: ApiRequest) => ({ project_id: req.params.project_id })

  router.get('/v2.1/os-quota-sets/:project_id/defaults', { policy: 'compute:quota-sets:defaults' }, (req) =>
    json(200, { quota_set: { id: req.params.project_id, ...QUOTA_DEFAULTS, ...LEGACY } }),
  )
  router.get('/v2.1/os-quota-sets/:project_id/detail', { policy: 'compute:quota-sets:show', target }, async (req) =>
    json(200, { quota_set: await quotaSet(req.params.project_id!, true, req.ctx.userId) }),
  )
  router.get('/v2.1/os-quota-sets/:project_id', { policy: 'compute:quota-sets:show', target }, async (req) =>
    json(200, { quota_set: await quotaSet(req.params.project_id!, false, req.ctx.userId) }),
  )
  router.put(
    '/v2.1/os-quota-sets/:project_id',
    { policy: 'compute:quota-sets:update', body: { type: 'object', properties: { quota_set: { type: 'object' } }, required: ['quota_set'], additionalProperties: false } },
    async (req: ApiRequest<{ quota_set: Record<string, unknown> }>) => {
      const projectId = req.params.project_id!
      const updates: [string, number][] = []
      for (const [k, v] of Object.entries(req.body.quota_set)) {
        if (k === 'force') continue
        if (k in LEGACY) continue
        if (!(k in QUOTA_DEFAULTS)) throw new BadRequest(`Bad key(s) ${k} in quota_set`, `quota_set/${k}`)
        const n = typeof v === 'string' ? Number(v) : v
        if (!Number.isInteger(n) || (n as number) < -1) throw new BadRequest(`Quota limit ${v} for ${k} must be -1 or a whole number ≥ 0.`, `quota_set/${k}`)
        updates.push([k, n as number])
      }
      await repo.db.transaction(async (tx) => {
        for (const [k, n] of updates) await repo.setQuota(tx, projectId, k, n)
      })
      const q = await quotaSet(projectId, false, req.ctx.userId)
      const { id: _id, ...rest } = q
      return json(200, { quota_set: rest })
    },
  )
  router.delete('/v2.1/os-quota-sets/:project_id', { policy: 'compute:quota-sets:delete' }, async (req) => {
    if (!isAdmin(req.ctx)) throw new Forbidden('Only an admin resets quotas.')
    await repo.db.transaction((tx) => repo.deleteQuotas(tx, req.params.project_id!))
    return { status: 202, text: '', headers: { 'Content-Length': 0 } }
  })
}
