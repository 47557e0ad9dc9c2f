import type { NetworkClient, NetworkInfo, PortInfo, SubnetInfo } from '../clients'
import type { Instance, InstancePort, ServerAddress } from './models'

/** One NIC of an instance as the network service sees it now: the port, its network and subnets, floating IPs. */
export interface Vif {
  port: PortInfo
  /** undefined when the network is gone (or the port is). */
  network: NetworkInfo | undefined
  /** The subnets of the port's fixed IPs (filled only when asked for). */
  subnets: Map<string, SubnetInfo>
  floatingIps: string[]
}

/** A security group as compute shows it (os-security-groups, the server view, the metadata service). */
export interface SecurityGroupInfo {
  id: string
  name: string
  description: string
  project_id: string
  rules: {
    id: string
    direction: 'ingress' | 'egress'
    ethertype: string
    protocol: string | null
    port_range_min: number | null
    port_range_max: number | null
    remote_ip_prefix: string | null
    remote_group_id: string | null
  }[]
}

/**
 * What compute asks the network service beyond clients.NetworkClient: the security groups behind ids (for names in
 * the server view, os-security-groups and the EC2 metadata). Used when the network client offers it; without it,
 * a group shows its id as its name.
 */
export interface SecurityGroupLookup {
  securityGroupsById?(ids: string[]): Promise<Map<string, SecurityGroupInfo>>
}

/** Neutron-port instances: those whose `networks` is a list (see Instance.networks). */
export const onPorts = (i: Instance): boolean => Array.isArray(i.networks)

/**
 * The NICs of these instances, read from the network service in one batch per kind: the ports of each instance
 * (by device_id; Neutron is the truth, as Nova's info cache refresh), one call for all their networks, one for all
 * floating IPs, and, with `subnets`, one for all subnets. NIC order follows compute_instance_ports; a port bound to
 * the instance some other way comes after them. Instances not on Neutron ports get no entry.
 */
export async function loadVifs(
  network: NetworkClient,
  instances: Instance[],
  recorded: InstancePort[],
  opts: { subnets?: boolean } = {},
): Promise<Map<string, Vif[]>> {
  const out = new Map<string, Vif[]>()
  const targets = instances.filter(onPorts)
  if (!targets.length) return out
  const position = new Map(recorded.map((p) => [p.port_id, p.position]))
  const portsBy = await Promise.all(targets.map(async (i) => [i.id, await network.portsOfDevice(i.id)] as const))
  const allPorts = portsBy.flatMap(([, ports]) => ports)
  const [networks, floating, subnets] = await Promise.all([
    allPorts.length ? network.networksById([...new Set(allPorts.map((p) => p.network_id))]) : new Map<string, NetworkInfo>(),
    allPorts.length ? network.floatingIpsOfPorts(allPorts.map((p) => p.id)) : new Map<string, string[]>(),
    opts.subnets && allPorts.length
      ? network.subnetsById([...new Set(allPorts.flatMap((p) => p.fixed_ips.map((f) => f.subnet_id)))])
      : new Map<string, SubnetInfo>(),
  ])
  for (const [id, ports] of portsBy) {
    const sorted = [...ports].sort((a, b) => (position.get(a.id) ?? 1e9) - (position.get(b.id) ?? 1e9) || a.id.localeCompare(b.id))
    out.set(
      id,
      sorted.map((port) => ({
        port,
        network: networks.get(port.network_id),
        subnets: new Map(port.fixed_ips.flatMap((f) => (subnets.has(f.subnet_id) ? [[f.subnet_id, subnets.get(f.subnet_id)!] as const] : []))),
        floatingIps: floating.get(port.id) ?? [],
      })),
    )
  }
  return out
}

const ipVersion = (addr: string): number => (addr.includes(':') ? 6 : 4)

/** Nova's `addresses`: per network name, each port's fixed IPs then its floating IPs. */
export function addressesOf(vifs: Vif[]): Record<string, ServerAddress[]> {
  const out: Record<string, ServerAddress[]> = {}
  for (const v of vifs) {
    const label = v.network?.name || v.port.network_id
    const list = (out[label] ??= [])
    const mac = v.port.mac_address
    for (const f of v.port.fixed_ips) list.push({ version: ipVersion(f.ip_address), addr: f.ip_address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': mac })
    for (const a of v.floatingIps) list.push({ version: ipVersion(a), addr: a, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': mac })
  }
  return out
}

/** The security groups of an instance's ports, each once, in the order first seen. */
export function securityGroupIdsOf(vifs: Vif[]): string[] {
  return [...new Set(vifs.flatMap((v) => v.port.security_groups))]
}

/** Security groups by id (ids the network service does not know are left out; see SecurityGroupLookup). */
export async function securityGroupsById(network: NetworkClient & SecurityGroupLookup, ids: string[]): Promise<Map<string, SecurityGroupInfo>> {
  if (!ids.length) return new Map()
  if (typeof network.securityGroupsById === 'function') return network.securityGroupsById(ids)
  return new Map(ids.map((id) => [id, { id, name: id, description: '', project_id: '', rules: [] }]))
}
