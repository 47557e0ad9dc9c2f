import { BadRequest, NotFound } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json } from '../../../platform/http/types'
import type { ComputeManager } from '../compute-manager'
import type { ComputeRepository } from '../compute-repository'
import type { Instance } from '../models'
import { interfaceView, securityGroupView } from './views'
import { serverRoute } from './server-route'

/**
 * The server's network as Nova 2.1 shows it: its addresses (ips), os-interface (its ports; read-only here — hot-plugging a NIC is not
 * built) and the os-security-groups proxy (the server's groups, and one group by name or id, which is how
 * `openstack server add security group` of python-openstackclient 6 finds the id it then sends).
 */
export function registerServerNetworkRoutes(router: Router, manager: ComputeManager, repo: ComputeRepository): void {
  const one = (policy: string) => serverRoute(repo, policy)

  // os-server-ips: the addresses of the server view, with only addr and version.
  const ips = async (i: Instance) => {
    const view = (await manager.networkViews([i])).get(i.id)
    return Object.fromEntries(Object.entries(view?.addresses ?? {}).map(([label, list]) => [label, list.map((a) => ({ version: a.version, addr: a.addr }))]))
  }
  router.get('/v2.1/servers/:server_id/ips', one('compute:ips:index'), async (_req, i) => json(200, { addresses: await ips(i) }))
  router.get('/v2.1/servers/:server_id/ips/:network_label', one('compute:ips:show'), async (req, i) => {
    const label = req.params.network_label!
    const all = await ips(i)
    if (!Object.prototype.hasOwnProperty.call(all, label)) throw new NotFound('Instance is not a member of specified network')
    return json(200, { [label]: all[label] })
  })

  router.get('/v2.1/servers/:server_id/os-interface', one('compute:os-interface:list'), async (_req, i) => {
    return json(200, { interfaceAttachments: (await manager.interfaces(i)).map((v) => interfaceView(v.port)) })
  })
  router.get('/v2.1/servers/:server_id/os-interface/:port_id', one('compute:os-interface:show'), async (req, i) => {
    const vif = (await manager.interfaces(i)).find((v) => v.port.id === req.params.port_id)
    if (!vif) throw new NotFound(`Instance ${i.id} does not have a port with id ${req.params.port_id}`)
    return json(200, { interfaceAttachment: interfaceView(vif.port) })
  })
  const noHotplug = () => {
    throw new BadRequest('Attaching or detaching a network interface is not supported by this Stackling yet: create the server with the ports it needs (--nic), or create a new one.')
  }
  router.post('/v2.1/servers/:server_id/os-interface', one('compute:os-interface:create'), noHotplug)
  router.delete('/v2.1/servers/:server_id/os-interface/:port_id', one('compute:os-interface:delete'), noHotplug)

  router.get('/v2.1/servers/:server_id/os-security-groups', one('compute:server-security-groups:list'), async (_req, i) => {
    const groups = await manager.securityGroups(i)
    const byId = new Map(groups.map((g) => [g.id, g]))
    return json(200, { security_groups: groups.map((g) => securityGroupView(g, byId)) })
  })
  router.get('/v2.1/os-security-groups/:group_id', { policy: 'compute:security-groups:show' }, async (req) => {
    const wanted = req.params.group_id!
    const group = await manager.findSecurityGroup(req.ctx, wanted).catch((err: Error & { status?: number }) => {
      // Nova's proxy answers 404 for a group it cannot find, whatever the network service's code.
      if (err.status && err.status < 500) return undefined
      throw err
    })
    if (!group) throw new NotFound(`Security group ${wanted} not found.`)
    return json(200, { security_group: securityGroupView(group) })
  })
}
