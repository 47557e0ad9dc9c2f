import type { NetworkClient, NetworkInfo, PortInfo, SubnetInfo } from '../clients'
import { actorOf } from './api/actor'
import { notFound } from './errors'
import type { Resource } from './models'
import type { Actor, NetworkManager } from './network-manager'

type R = Resource & Record<string, any>

/** The service's own authority: binding a port for compute, deleting a deleted server's ports. */
const SYSTEM: Actor = { projectId: '', admin: true }

export function portInfo(p: R): PortInfo {
  return {
    id: p.id,
    project_id: p.project_id,
    network_id: p.network_id,
    mac_address: p.mac_address,
    fixed_ips: (p.fixed_ips ?? []).map((f: R) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })),
    device_id: p.device_id,
    device_owner: p.device_owner,
    status: p.status,
    'binding:host_id': p['binding:host_id'] ?? '',
    port_security_enabled: p.port_security_enabled !== false,
    security_groups: [...(p.security_groups ?? [])],
  }
}

export function networkInfo(n: R): NetworkInfo {
  return {
    id: n.id,
    name: n.name,
    project_id: n.project_id,
    shared: n.shared === true,
    'router:external': n['router:external'] === true,
    mtu: n.mtu,
    subnets: [...(n.subnets ?? [])],
  }
}

export function subnetInfo(s: R): SubnetInfo {
  return {
    id: s.id,
    network_id: s.network_id,
    cidr: s.cidr,
    ip_version: s.ip_version,
    gateway_ip: s.gateway_ip ?? null,
    dns_nameservers: [...(s.dns_nameservers ?? [])],
    host_routes: (s.host_routes ?? []).map((h: R) => ({ destination: h.destination, nexthop: h.nexthop })),
    enable_dhcp: s.enable_dhcp !== false,
  }
}

/** What compute gets from the network service (clients.ts documents each call). */
export function createNetworkClient(manager: NetworkManager): NetworkClient {
  return {
    async createPort(ctx, fields) {
      return portInfo(await manager.createPort(actorOf(ctx), { ...fields }, { service: true }))
    },
    async updatePort(portId, fields) {
      const port = await manager.findVisible(SYSTEM, 'ports', portId)
      if (!port) throw notFound('ports', portId)
      return portInfo(await manager.update(SYSTEM, 'ports', port, fields))
    },
    async deletePort(portId) {
      const port = await manager.findVisible(SYSTEM, 'ports', portId)
      if (port) await manager.remove(SYSTEM, 'ports', port)
    },
    async portsOfDevice(deviceId) {
      return (await manager.portsOfDevice(deviceId)).map(portInfo)
    },
    async getPort(ctx, portId) {
      const port = await manager.findVisible(actorOf(ctx), 'ports', portId)
      return port && portInfo(port)
    },
    async getNetwork(ctx, networkId) {
      const net = await manager.findVisible(actorOf(ctx), 'networks', networkId)
      return net && networkInfo(net)
    },
    async networksById(ids) {
      return new Map([...(await manager.byIds('networks', ids))].map(([id, n]) => [id, networkInfo(n)]))
    },
    async subnetsById(ids) {
      return new Map([...(await manager.byIds('subnets', ids))].map(([id, s]) => [id, subnetInfo(s)]))
    },
    async autoNetwork(ctx) {
      const net = await manager.autoNetwork(actorOf(ctx))
      return net === undefined || net === 'ambiguous' ? net : networkInfo(net)
    },
    securityGroupIds: (ctx, namesOrIds) => manager.securityGroupIds(actorOf(ctx), namesOrIds),
    floatingIpsOfPorts: (portIds) => manager.floatingIpsOfPorts(portIds),
    nicBackend: (portId) => manager.dataPlane.nicBackend(portId),
    setMetadataHandler: (handler) => manager.dataPlane.setMetadataHandler(handler),
  }
}
