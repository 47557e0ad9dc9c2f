import type { Server } from '../../../lib/openstack/compute'
import { DEVICE_OWNER, type FloatingIp, type Network, type Port, type Router, type Subnet } from '../../../lib/openstack/network'

/**
 * What the topology picture shows, derived from the Neutron and Nova lists alone (as any client could): networks
 * with their CIDRs, routers with their gateway and interfaces, instances with the networks their ports are on.
 * Ports link to their device by device_id; a router's interfaces and gateway are ports with the device owners
 * network:router_interface / network:router_gateway. Pure: no DOM, no I/O. Everything is sorted, so the same
 * data always gives the same picture.
 */

export interface TopologyInput {
  networks: readonly Network[]
  subnets: readonly Subnet[]
  ports: readonly Port[]
  routers: readonly Router[]
  floatingIps: readonly FloatingIp[]
  /** Undefined when the servers could not be listed (no compute service, a refused call). */
  servers?: readonly Server[]
}

export interface TopoNetwork {
  id: string
  name: string
  external: boolean
  shared: boolean
  status: string
  cidrs: string[]
}

export interface TopoAttachment {
  networkId: string
  portId: string
  ips: string[]
}

export interface TopoRouter {
  id: string
  name: string
  status: string
  gateway?: { networkId: string; ips: string[]; snat: boolean }
  interfaces: TopoAttachment[]
}

export interface TopoInstance {
  id: string
  name: string
  /** Nova's status; 'UNKNOWN' for a device whose server is not in the list (another project's, to an admin). */
  status: string
  /** The server is in the list (its detail page exists for this project). */
  known: boolean
  ports: TopoAttachment[]
  floatingIps: string[]
}

export interface TopologyModel {
  /** External networks first, then the others, each group by name. */
  networks: TopoNetwork[]
  routers: TopoRouter[]
  instances: TopoInstance[]
}

const byName = <T extends { name: string; id: string }>(a: T, b: T) => a.name.localeCompare(b.name, undefined, { numeric: true }) || a.id.localeCompare(b.id)
const ipsOf = (p: Port) => p.fixed_ips.map((f) => f.ip_address)
const isInstancePort = (p: Port) => p.device_owner.startsWith('compute:') && p.device_id !== ''

export function buildTopology(input: TopologyInput): TopologyModel {
  const cidrsOf = new Map<string, string[]>()
  for (const s of [...input.subnets].sort((a, b) => a.cidr.localeCompare(b.cidr, undefined, { numeric: true }))) {
    cidrsOf.set(s.network_id, [...(cidrsOf.get(s.network_id) ?? []), s.cidr])
  }
  const networks: TopoNetwork[] = input.networks
    .map((n) => ({ id: n.id, name: n.name || n.id.slice(0, 8), external: n['router:external'], shared: n.shared, status: n.status, cidrs: cidrsOf.get(n.id) ?? [] }))
    .sort((a, b) => Number(b.external) - Number(a.external) || byName(a, b))
  const known = new Set(networks.map((n) => n.id))
  const ports = [...input.ports].filter((p) => known.has(p.network_id)).sort((a, b) => a.id.localeCompare(b.id))

  const routers: TopoRouter[] = input.routers
    .map((r) => {
      const gw = r.external_gateway_info
      const gatewayPort = ports.find((p) => p.device_id === r.id && p.device_owner === DEVICE_OWNER.routerGateway)
      const gateway =
        gw && known.has(gw.network_id)
          ? {
              networkId: gw.network_id,
              // A member may not see the gateway port (it is the router's, made by Neutron): the router says its IPs too.
              ips: gw.external_fixed_ips?.map((f) => f.ip_address) ?? (gatewayPort ? ipsOf(gatewayPort) : []),
              snat: gw.enable_snat !== false,
            }
          : undefined
      const interfaces = ports
        .filter((p) => p.device_id === r.id && p.device_owner === DEVICE_OWNER.routerInterface)
        .map((p) => ({ networkId: p.network_id, portId: p.id, ips: ipsOf(p) }))
      return { id: r.id, name: r.name || r.id.slice(0, 8), status: r.status, gateway, interfaces }
    })
    .sort(byName)

  const fipsOfPort = new Map<string, string[]>()
  for (const f of input.floatingIps) {
    if (f.port_id) fipsOfPort.set(f.port_id, [...(fipsOfPort.get(f.port_id) ?? []), f.floating_ip_address].sort())
  }
  const servers = new Map((input.servers ?? []).map((s) => [s.id, s]))
  const portsOf = new Map<string, Port[]>()
  for (const p of ports.filter(isInstancePort)) portsOf.set(p.device_id, [...(portsOf.get(p.device_id) ?? []), p])
  const deviceIds = new Set([...servers.keys(), ...portsOf.keys()])
  const instances: TopoInstance[] = [...deviceIds]
    .map((id) => {
      const s = servers.get(id)
      const own = portsOf.get(id) ?? []
      return {
        id,
        name: s ? s.name || id.slice(0, 8) : `instance ${id.slice(0, 8)}`,
        status: s?.status ?? 'UNKNOWN',
        known: Boolean(s),
        ports: own.map((p) => ({ networkId: p.network_id, portId: p.id, ips: ipsOf(p) })),
        floatingIps: own.flatMap((p) => fipsOfPort.get(p.id) ?? []),
      }
    })
    .sort(byName)
  return { networks, routers, instances }
}

export const isEmptyTopology = (m: TopologyModel) => m.networks.length === 0 && m.routers.length === 0 && m.instances.length === 0
