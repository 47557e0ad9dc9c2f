import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import type { Resource } from '../models'
import type { NetworkManager } from '../network-manager'
import { actorOf } from './actor'

/** PUT /routers/{id}/add_router_interface and remove_router_interface ({subnet_id} or {port_id}). */
export function registerRouterInterfaceRoutes(router: Router, manager: NetworkManager): void {
  const load = (req: ApiRequest) => manager.getVisible(actorOf(req.ctx), 'routers', req.params.id!)
  const target = (_req: ApiRequest, r: Resource) => ({ project_id: r.project_id })
  const body = { type: 'object' }
  router.put('/v2.0/routers/:id/add_router_interface', { policy: 'network:add_router_interface', load, target, body }, async (req, r: Resource) =>
    json(200, await manager.addRouterInterface(actorOf(req.ctx), r as never, req.body)),
  )
  router.put('/v2.0/routers/:id/remove_router_interface', { policy: 'network:remove_router_interface', load, target, body }, async (req, r: Resource) =>
    json(200, await manager.removeRouterInterface(actorOf(req.ctx), r as never, req.body)),
  )
}
