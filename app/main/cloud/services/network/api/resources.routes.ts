import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import type { PolicyEnforcer } from '../../../platform/policy'
import { S } from '../../../platform/http/validation'
import { KINDS, SINGULAR, type Kind, type Resource } from '../models'
import type { NetworkManager } from '../network-manager'
import { actorOf } from './actor'
import { applyListQuery, selectFields } from './list-query'
import { view } from './views'

/** The URL segment of each collection (Neutron spells the security group ones with dashes). */
export const PATHS: Record<Kind, string> = {
  networks: 'networks',
  subnets: 'subnets',
  ports: 'ports',
  security_groups: 'security-groups',
  security_group_rules: 'security-group-rules',
  routers: 'routers',
  floatingips: 'floatingips',
}

const ADMIN_ONLY_NETWORK_ATTRS = ['shared', 'router:external']

/** CRUD of every collection: list (filters, sorting, pagination, fields), create, show, update, delete. */
export function registerResourceRoutes(router: Router, manager: NetworkManager, policy: PolicyEnforcer): void {
  for (const kind of KINDS) {
    const one = SINGULAR[kind]
    const base = `/v2.0/${PATHS[kind]}`
    const load = (req: ApiRequest) => manager.getVisible(actorOf(req.ctx), kind, req.params.id!)
    const owned = (action: string) => ({ policy: action, load, target: (_req: ApiRequest, r: Resource) => ({ project_id: r.project_id }) })
    const body = S.wrapped(one, { type: 'object' })
    const checkAdminAttrs = (req: ApiRequest<Record<string, Record<string, unknown>>>, verb: 'create' | 'update', cur?: Resource) => {
      if (kind !== 'networks') return
      for (const attr of ADMIN_ONLY_NETWORK_ATTRS) {
        const v = req.body[one]![attr]
        if (v !== undefined && v !== (cur ? cur[attr] : false)) policy.enforce(req.ctx, `network:${verb}_network:${attr}`, { project_id: req.ctx.projectId })
      }
    }

    router.get(base, { policy: `network:get_${one}` }, async (req) => {
      const items = (await manager.list(actorOf(req.ctx), kind)).map(view)
      return json(200, applyListQuery(items, req.query, kind, `${req.serviceUrl}${base}`))
    })
    router.post(base, { policy: `network:create_${one}`, body }, async (req: ApiRequest<Record<string, Record<string, unknown>>>) => {
      checkAdminAttrs(req, 'create')
      const a = actorOf(req.ctx)
      const created = await manager.create(a, kind, req.body[one]!)
      return json(201, { [one]: view(await manager.show(a, kind, created)) })
    })
    router.get(`${base}/:id`, { policy: `network:get_${one}`, load }, async (req, res: Resource) =>
      json(200, { [one]: selectFields(view(await manager.show(actorOf(req.ctx), kind, res as never)), req.query) }),
    )
    router.put(`${base}/:id`, { ...owned(`network:update_${one}`), body }, async (req: ApiRequest<Record<string, Record<string, unknown>>>, res: Resource) => {
      checkAdminAttrs(req, 'update', res)
      const a = actorOf(req.ctx)
      const updated = await manager.update(a, kind, res as never, req.body[one]!)
      return json(200, { [one]: view(await manager.show(a, kind, updated)) })
    })
    router.delete(`${base}/:id`, owned(`network:delete_${one}`), async (req, res: Resource) => {
      await manager.remove(actorOf(req.ctx), kind, res as never)
      return noContent()
    })
  }
}
