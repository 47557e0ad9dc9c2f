import { isAdmin } from '../../../platform/auth-context'
import { BadRequest } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import { QUOTA_DEFAULTS } from '../models'
import type { VolumeApi } from './context'
import { boolParam } from './list-query'

const P = '/v3/:project_id'

/** /limits and os-quota-sets (show, defaults, usage=true, update and delete by admins). */
export function registerQuotaRoutes(router: Router, api: VolumeApi): void {
  const { manager } = api
  const repo = manager.repo

  const inUse = async (projectId: string): Promise<Record<string, number>> => {
    const u = await repo.usage(projectId)
    const b = await repo.backupUsage(projectId)
    const out: Record<string, number> = { volumes: u.volumes, snapshots: u.snapshots, gigabytes: u.gigabytes, backups: b.backups, backup_gigabytes: b.backup_gigabytes, groups: 0, per_volume_gigabytes: 0 }
    const types = new Map((await repo.types()).map((t) => [t.id, t.name]))
    for (const name of types.values()) for (const r of ['volumes', 'gigabytes', 'snapshots']) out[`${r}_${name}`] = 0
    for (const [typeId, usage] of await repo.usageByType(projectId)) {
      const name = types.get(typeId)
      if (!name) continue
      out[`volumes_${name}`] = usage.volumes
      out[`gigabytes_${name}`] = usage.gigabytes
      out[`snapshots_${name}`] = usage.snapshots
    }
    return out
  }

  router.get(`${P}/limits`, { policy: 'volume:limits' }, async (req) => {
    const project = req.query.get('project_id') && isAdmin(req.ctx) ? req.query.get('project_id')! : req.ctx.projectId ?? ''
    const q = await manager.quotas(project)
    const u = await repo.usage(project)
    const b = await repo.backupUsage(project)
    return json(200, {
      limits: {
        rate: [],
        absolute: {
          maxTotalVolumes: q.volumes,
          maxTotalSnapshots: q.snapshots,
          maxTotalVolumeGigabytes: q.gigabytes,
          maxTotalBackups: q.backups,
          maxTotalBackupGigabytes: q.backup_gigabytes,
          totalVolumesUsed: u.volumes,
          totalSnapshotsUsed: u.snapshots,
          totalGigabytesUsed: u.gigabytes,
          totalBackupsUsed: b.backups,
          totalBackupGigabytesUsed: b.backup_gigabytes,
        },
      },
    })
  })

  const target = (req: ApiRequest) => ({ project_id: req.params.target })
  router.get(`${P}/os-quota-sets/:target/defaults`, { policy: 'volume:quota:defaults' }, async (req) => {
    const perType: Record<string, number> = {}
    for (const t of await repo.types()) for (const r of ['volumes', 'gigabytes', 'snapshots']) perType[`${r}_${t.name}`] = -1
    return json(200, { quota_set: { id: req.params.target, ...QUOTA_DEFAULTS, ...perType } })
  })
  router.get(`${P}/os-quota-sets/:target`, { policy: 'volume:quota:show', target }, async (req) => {
    const projectId = req.params.target!
    const q = await manager.quotas(projectId)
    if (!boolParam(req.query.get('usage') ?? '')) return json(200, { quota_set: { id: projectId, ...q } })
    const used = await inUse(projectId)
    const detailed = Object.fromEntries(Object.entries(q).map(([k, v]) => [k, { limit: v, in_use: used[k] ?? 0, reserved: 0, allocated: 0 }]))
    return json(200, { quota_set: { id: projectId, ...detailed } })
  })
  router.put(
    `${P}/os-quota-sets/:target`,
    { policy: 'volume:quota:update', body: { type: 'object', required: ['quota_set'], properties: { quota_set: { type: 'object' } } } },
    async (req: ApiRequest<{ quota_set: Record<string, unknown> }>) => {
      const projectId = req.params.target!
      const known = await manager.quotas(projectId)
      const used = await inUse(projectId)
      const updates: [string, number][] = []
      for (const [k, v] of Object.entries(req.body.quota_set)) {
        if (k === 'tenant_id' || k === 'id') continue
        if (!(k in known)) throw new BadRequest(`Bad key(s) in quota set: ${k}`, `quota_set/${k}`)
        const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v
        if (typeof n !== 'number' || !Number.isInteger(n) || n < -1) throw new BadRequest(`Invalid input received: Quota limit ${String(v)} for ${k} must be -1 or a whole number ≥ 0.`, `quota_set/${k}`)
        // Cinder refuses a limit below what the project already uses.
        if (n >= 0 && k !== 'per_volume_gigabytes' && (used[k] ?? 0) > n) throw new BadRequest(`Invalid input received: Quota limit ${n} for ${k} must be greater than or equal to the ${used[k]} already used.`, `quota_set/${k}`)
        updates.push([k, n])
      }
      await repo.db.transaction(async (tx) => {
        for (const [k, n] of updates) await repo.setQuota(tx, projectId, k, n)
      })
      return json(200, { quota_set: await manager.quotas(projectId) })
    },
  )
  router.delete(`${P}/os-quota-sets/:target`, { policy: 'volume:quota:delete' }, async (req) => {
    await repo.db.transaction((tx) => repo.deleteQuotas(tx, req.params.target!))
    return json(200, {})
  })
}
