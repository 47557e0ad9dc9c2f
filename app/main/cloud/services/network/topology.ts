import type {
  HostForward,
  Topology,
  TopologyFloatingIp,
  TopologyPort,
  TopologyRule,
} from '../../drivers/network/network-driver'
import { isIpv4 } from './ipam'
import { OWNER, type FixedIp, type Resource } from './models'

type R = Resource & Record<string, any>

/** Every row the data plane depends on, of all projects. */
export interface TopologyRows {
  networks: R[]
  subnets: R[]
  ports: R[]
  security_groups: R[]
  security_group_rules: R[]
  routers: R[]
  floatingips: R[]
  port_forwardings: R[]
}

/**
 * The name DHCP hands a port's instance (option 12, a host name): its dns_name (the first label of an FQDN), else
 * Neutron's `host-10-0-0-5` of its first IPv4 address.
 */
export function portHostname(port: R): string {
  if (port.dns_name) return String(port.dns_name).split('.')[0]!
  const v4 = (port.fixed_ips as FixedIp[]).find((f) => isIpv4(f.ip_address))
  return v4 ? `host-${v4.ip_address.replace(/\./g, '-')}` : `host-${String(port.id).slice(0, 8)}`
}

/** Model rows → the driver's desired state. Pure. */
export function buildTopology(rows: TopologyRows): Topology {
  const subnetsOf = new Map<string, R[]>()
  for (const s of rows.subnets) subnetsOf.set(s.network_id, [...(subnetsOf.get(s.network_id) ?? []), s])
  const rulesOf = new Map<string, R[]>()
  for (const r of rows.security_group_rules) rulesOf.set(r.security_group_id, [...(rulesOf.get(r.security_group_id) ?? []), r])
  const forwardsOf = new Map<string, R[]>()
  for (const pf of rows.port_forwardings) forwardsOf.set(pf.floatingip_id, [...(forwardsOf.get(pf.floatingip_id) ?? []), pf])

  const ports: TopologyPort[] = rows.ports.map((p) => ({
    id: p.id,
    network_id: p.network_id,
    mac_address: p.mac_address,
    fixed_ips: (p.fixed_ips as FixedIp[]).map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })),
    device_owner: p.device_owner,
    device_id: p.device_id,
    admin_state_up: p.admin_state_up !== false,
    port_security_enabled: p.port_security_enabled !== false,
    allowed_address_pairs: (p.allowed_address_pairs ?? []).map((a: R) => ({ ip_address: a.ip_address, mac_address: a.mac_address })),
    security_groups: [...(p.security_groups ?? [])],
    hostname: portHostname(p),
  }))

  const floatingIps: TopologyFloatingIp[] = rows.floatingips.map((f) => ({
    id: f.id,
    floating_ip_address: f.floating_ip_address,
    floating_network_id: f.floating_network_id,
    router_id: f.router_id ?? null,
    port_id: f.port_id ?? null,
    fixed_ip_address: f.fixed_ip_address ?? null,
    host_forwards: f.port_id ? ((f.host_forwards ?? []) as HostForward[]).map((h) => ({ ...h })) : [],
    port_forwardings: (forwardsOf.get(f.id) ?? []).map((pf) => ({
      id: pf.id,
      protocol: pf.protocol,
      internal_port_id: pf.internal_port_id,
      internal_ip_address: pf.internal_ip_address,
      internal_port: pf.internal_port,
      external_port: pf.external_port,
    })),
  }))

  return {
    networks: rows.networks.map((n) => ({
      id: n.id,
      name: n.name,
      mtu: n.mtu,
      external: n['router:external'] === true,
      admin_state_up: n.admin_state_up !== false,
      subnets: (subnetsOf.get(n.id) ?? []).map((s) => ({
        id: s.id,
        network_id: s.network_id,
        cidr: s.cidr,
        ip_version: s.ip_version === 6 ? 6 : 4,
        gateway_ip: s.gateway_ip ?? null,
        enable_dhcp: s.enable_dhcp !== false,
        dns_nameservers: [...(s.dns_nameservers ?? [])],
        host_routes: (s.host_routes ?? []).map((h: R) => ({ destination: h.destination, nexthop: h.nexthop })),
        allocation_pools: (s.allocation_pools ?? []).map((p: R) => ({ start: p.start, end: p.end })),
      })),
    })),
    ports,
    security_groups: rows.security_groups.map((g) => ({
      id: g.id,
      rules: (rulesOf.get(g.id) ?? []).map(
        (r): TopologyRule => ({
          id: r.id,
          direction: r.direction,
          ethertype: r.ethertype,
          protocol: r.protocol === null || r.protocol === undefined ? null : String(r.protocol).toLowerCase(),
          port_range_min: r.port_range_min ?? null,
          port_range_max: r.port_range_max ?? null,
          remote_ip_prefix: r.remote_ip_prefix ?? null,
          remote_group_id: r.remote_group_id ?? null,
        }),
      ),
    })),
    routers: rows.routers.map((r) => ({
      id: r.id,
      admin_state_up: r.admin_state_up !== false,
      gateway_port_id: r._gw_port_id ?? null,
      enable_snat: r.external_gateway_info ? r.external_gateway_info.enable_snat !== false : false,
      interface_port_ids: rows.ports.filter((p) => p.device_id === r.id && p.device_owner === OWNER.routerInterface).map((p) => p.id),
      routes: (r.routes ?? []).map((x: R) => ({ destination: x.destination, nexthop: x.nexthop })),
    })),
    floating_ips: floatingIps,
  }
}
