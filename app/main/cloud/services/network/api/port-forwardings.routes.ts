import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import { S } from '../../../platform/http/validation'
import type { Resource } from '../models'
import type { NetworkManager } from '../network-manager'
import { actorOf } from './actor'
import { applyListQuery, selectFields } from './list-query'
import { portForwardingView } from './views'

type Body = { port_forwarding: Record<string, unknown> }

/**
 * /v2.0/floatingips/{floatingip_id}/port_forwardings[/{id}] (floating-ip-port-forwarding): list, create, show,
 * update, delete. The floating IP is loaded first (404 when the caller may not see it); the policy then applies to
 * its project. Here an external_port is a port on the host's 127.0.0.1.
 */
export function registerPortForwardingRoutes(router: Router, manager: NetworkManager): void {
  const base = '/v2.0/floatingips/:floatingip_id/port_forwardings'
  const load = (req: ApiRequest) => manager.getVisible(actorOf(req.ctx), 'floatingips', req.params.floatingip_id!)
  const target = (_req: ApiRequest, fip: Resource) => ({ project_id: fip.project_id })
  const on = (action: string) => ({ policy: `network:${action}_floatingip_port_forwarding`, load, target })
  const body = S.wrapped('port_forwarding', { type: 'object' })

  router.get(base, on('get'), async (req, fip: Resource) => {
    const items = (await manager.listPortForwardings(fip as never)).map(portForwardingView)
    return json(200, applyListQuery(items, req.query, 'port_forwardings', `${req.serviceUrl}/v2.0/floatingips/${fip.id}/port_forwardings`))
  })
  router.post(base, { ...on('create'), body }, async (req: ApiRequest<Body>, fip: Resource) =>
    json(201, { port_forwarding: portForwardingView(await manager.createPortForwarding(actorOf(req.ctx), fip as never, req.body.port_forwarding)) }),
  )
  router.get(`${base}/:id`, on('get'), async (req, fip: Resource) =>
    json(200, { port_forwarding: selectFields(portForwardingView(await manager.getPortForwarding(fip as never, req.params.id!)), req.query) }),
  )
  router.put(`${base}/:id`, { ...on('update'), body }, async (req: ApiRequest<Body>, fip: Resource) => {
    const pf = await manager.getPortForwarding(fip as never, req.params.id!)
    return json(200, { port_forwarding: portForwardingView(await manager.updatePortForwarding(actorOf(req.ctx), fip as never, pf, req.body.port_forwarding)) })
  })
  router.delete(`${base}/:id`, on('delete'), async (req, fip: Resource) => {
    await manager.deletePortForwarding(fip as never, await manager.getPortForwarding(fip as never, req.params.id!))
    return noContent()
  })
}
