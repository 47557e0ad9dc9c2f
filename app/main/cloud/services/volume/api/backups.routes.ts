import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import { isAdmin } from '../../../platform/auth-context'
import { BackupNotFound, type BackupManager } from '../backup-manager'
import type { Backup } from '../models'
import { admin, projectTarget, renderVolume, type VolumeApi } from './context'
import { allTenants, boolParam, listQuery } from './list-query'
import { atLeast } from './views'

const P = '/v3/:project_id'
const nullableString = (max = 255) => ({ type: ['string', 'null'], maxLength: max })

function backupView(req: ApiRequest, b: Backup, detail: boolean) {
  const project = req.params.project_id ?? req.ctx.projectId ?? ''
  const links = [
    { rel: 'self', href: `${req.serviceUrl}/v3/${project}/backups/${b.id}` },
    { rel: 'bookmark', href: `${req.serviceUrl}/${project}/backups/${b.id}` },
  ]
  if (!detail) return { id: b.id, name: b.name, links }
  const out: Record<string, unknown> = {
    id: b.id,
    name: b.name,
    description: b.description,
    status: b.status,
    size: b.size,
    volume_id: b.volume_id,
    snapshot_id: null,
    container: b.container,
    object_count: b.status === 'available' ? 1 : 0,
    availability_zone: 'nova',
    created_at: b.created_at,
    updated_at: b.updated_at,
    data_timestamp: b.created_at,
    fail_reason: b.fault,
    has_dependent_backups: false,
    is_incremental: false,
    links,
  }
  if (atLeast(req, '3.18') && isAdmin(req.ctx)) out['os-backup-project-attr:project_id'] = b.project_id
  if (atLeast(req, '3.43')) out.metadata = {}
  if (atLeast(req, '3.56')) out.user_id = b.user_id
  return out
}

/** Backups (create, list, show, delete, restore) on the object store. */
export function registerBackupRoutes(router: Router, api: VolumeApi, backups: BackupManager): void {
  const repo = api.manager.repo
  const byId = {
    load: async (req: ApiRequest) => {
      const b = await repo.backup(req.params.id!)
      if (!b) throw new BackupNotFound(req.params.id!)
      return b
    },
    target: projectTarget,
    hidden: (req: ApiRequest) => new BackupNotFound(req.params.id!),
  }
  const list = (detail: boolean) => async (req: ApiRequest) => {
    const all = allTenants(req, admin(req))
    const items = await repo.backups(all ? req.query.get('project_id') ?? undefined : req.ctx.projectId ?? '')
    const { page, links, count } = listQuery(req, items, {
      collection: 'backups',
      sortKeys: ['id', 'name', 'status', 'size', 'created_at', 'updated_at', 'volume_id'],
      filters: { name: (b, x) => b.name === x, status: (b, x) => b.status === x, volume_id: (b, x) => b.volume_id === x },
    })
    const body: Record<string, unknown> = { backups: page.map((b) => backupView(req, b, detail)) }
    if (links) body.backups_links = links
    if (count !== undefined) body.count = count
    return json(200, body)
  }
  router.get(`${P}/backups/detail`, { policy: 'volume:backup:get_all' }, list(true))
  router.get(`${P}/backups`, { policy: 'volume:backup:get_all' }, list(false))
  router.post(
    `${P}/backups`,
    {
      policy: 'volume:backup:create',
      body: {
        type: 'object',
        required: ['backup'],
        properties: {
          backup: {
            type: 'object',
            required: ['volume_id'],
            properties: {
              volume_id: { type: 'string', minLength: 1, maxLength: 64 },
              name: nullableString(),
              description: nullableString(),
              container: nullableString(),
              incremental: { type: ['boolean', 'string', 'null'] },
              force: { type: ['boolean', 'string', 'null'] },
              snapshot_id: nullableString(64),
            },
          },
        },
      },
    },
    async (req: ApiRequest<{ backup: Record<string, any> }>) => {
      const b = req.body.backup
      const flag = (v: unknown) => (typeof v === 'boolean' ? v : typeof v === 'string' ? boolParam(v) : false)
      const backup = await backups.create(req.ctx, { volume_id: b.volume_id, name: b.name, description: b.description, container: b.container, incremental: flag(b.incremental), force: flag(b.force), snapshot_id: b.snapshot_id })
      return json(202, { backup: { id: backup.id, name: backup.name, links: (backupView(req, backup, false) as { links: unknown }).links } })
    },
  )
  router.get(`${P}/backups/:id`, { policy: 'volume:backup:get', ...byId }, (req, b: Backup) => json(200, { backup: backupView(req, b, true) }))
  router.delete(`${P}/backups/:id`, { policy: 'volume:backup:delete', ...byId }, async (req, b: Backup) => {
    await backups.delete(b.id, boolParam(req.query.get('force') ?? '') && isAdmin(req.ctx))
    return { status: 202, text: '', headers: { 'Content-Length': 0 } }
  })
  router.post(
    `${P}/backups/:id/restore`,
    { policy: 'volume:backup:restore', body: { type: 'object', required: ['restore'], properties: { restore: { type: ['object', 'null'], properties: { volume_id: nullableString(64), name: nullableString() } } } }, ...byId },
    async (req: ApiRequest<{ restore: { volume_id?: string | null; name?: string | null } | null }>, b: Backup) => {
      const v = await backups.restore(req.ctx, b.id, req.body.restore ?? {})
      const rendered = await renderVolume(api, req, v)
      return json(202, { restore: { backup_id: b.id, volume_id: v.id, volume_name: rendered.name } })
    },
  )
}
