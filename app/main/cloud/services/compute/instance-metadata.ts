import { randomBytes } from 'node:crypto'
import type { Vif } from './instance-network'
import type { Instance } from './models'

/**
 * Pure: what a guest learns about itself, as Nova's metadata service and config drive write it (nova/api/metadata):
 * meta_data.json, network_data.json, vendor data, user data, and the EC2-style meta-data tree. The config drive and
 * the metadata service (metadata-server.ts) both build from here, so a guest sees the same either way.
 */

/** The OpenStack metadata versions Nova lists (GET /openstack), oldest first. */
export const OPENSTACK_VERSIONS = ['2012-08-10', '2013-04-04', '2013-10-17', '2015-10-15', '2016-06-30', '2016-10-06', '2017-02-22', '2018-08-27'] as const
/** The EC2 metadata versions Nova lists (GET /). */
export const EC2_VERSIONS = ['1.0', '2007-01-19', '2007-03-01', '2007-08-29', '2007-10-10', '2007-12-15', '2008-02-01', '2008-09-01', '2009-04-04'] as const

const GRIZZLY = '2013-04-04'
const HAVANA = '2013-10-17'
const LIBERTY = '2015-10-15'
const NEWTON_ONE = '2016-06-30'
const NEWTON_TWO = '2016-10-06'
const ROCKY = '2018-08-27'

/** One NIC of the guest, in order. */
export type GuestNic =
  /** On a Neutron port. `userMode`: the NIC is really on QEMU user-mode NAT (no data plane), so it must use DHCP. */
  | { kind: 'port'; vif: Vif; userMode: boolean }
  /** The pre-Neutron NIC on QEMU user-mode NAT ('user-net'). */
  | { kind: 'user'; mac: string }

/** Everything the metadata of one instance is made of. */
export interface MetadataInput {
  instance: Instance
  nics: GuestNic[]
  /** Names of the security groups of the instance's ports (EC2 security-groups). */
  securityGroupNames: string[]
}

/** A hostname from a server name, as Nova sanitizes it. */
export function hostnameOf(name: string): string {
  const h = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63)
  return h || 'server'
}

/** OpenStack MACs start fa:16:3e; derived from the instance id so a rebuild keeps them (user-mode NAT NICs only). */
export function macFor(instanceId: string, index: number): string {
  const hex = instanceId.replace(/-/g, '')
  const b = [hex.slice(0, 2), hex.slice(2, 4), ((parseInt(hex.slice(4, 6), 16) + index) % 256).toString(16).padStart(2, '0')]
  return `fa:16:3e:${b.join(':')}`
}

/** `requested` is one of OPENSTACK_VERSIONS (or 'latest') at least `required`. */
const atLeast = (requested: string, required: string) => requested === 'latest' || requested >= required

/** meta_data.json for an OpenStack metadata version ('latest' = the newest). */
export function metaData(inst: Instance, version: string = 'latest'): Record<string, unknown> {
  const meta: Record<string, unknown> = {
    uuid: inst.id,
    meta: inst.metadata,
    hostname: hostnameOf(inst.name),
    name: inst.name,
    launch_index: inst.launch_index,
    availability_zone: inst.availability_zone,
  }
  if (inst.key_name && inst.key_data) meta.public_keys = { [inst.key_name]: inst.key_data }
  if (atLeast(version, GRIZZLY)) meta.random_seed = randomBytes(512).toString('base64')
  if (atLeast(version, LIBERTY)) meta.keys = inst.key_name && inst.key_data ? [{ name: inst.key_name, type: 'ssh', data: inst.key_data }] : []
  if (atLeast(version, NEWTON_ONE)) meta.devices = []
  if (atLeast(version, ROCKY)) meta.project_id = inst.project_id
  return meta
}

/** The files of an OpenStack metadata version folder, in Nova's order. */
export function openstackFiles(inst: Instance, version: string): string[] {
  const files = ['meta_data.json']
  if (atLeast(version, GRIZZLY)) files.push('password')
  if (atLeast(version, HAVANA)) files.push('vendor_data.json')
  if (atLeast(version, LIBERTY)) files.push('network_data.json')
  if (atLeast(version, NEWTON_TWO)) files.push('vendor_data2.json')
  if (inst.user_data) files.push('user_data')
  return files
}

/** The user data as the guest gets it (decoded), or undefined. */
export function userDataOf(inst: Instance): Buffer | undefined {
  return inst.user_data ? Buffer.from(inst.user_data, 'base64') : undefined
}

/** Dotted (IPv4) or colon (IPv6) netmask of a CIDR's prefix length. */
export function netmaskOf(cidr: string): string {
  const [addr = '', len = ''] = cidr.split('/')
  const prefix = Number(len)
  if (!addr.includes(':')) {
    const m = prefix <= 0 ? 0 : (0xffffffff << (32 - Math.min(prefix, 32))) >>> 0
    return [24, 16, 8, 0].map((s) => (m >>> s) & 255).join('.')
  }
  const groups = Array.from({ length: 8 }, (_, i) => {
    const bits = Math.max(0, Math.min(16, prefix - i * 16))
    return bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff
  })
  return compressV6(groups)
}

/** RFC 5952 text of eight 16-bit groups (the longest run of two or more zero groups becomes ::). */
function compressV6(groups: number[]): string {
  let best = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen && j - i >= 2) [best, bestLen] = [i, j - i]
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (best < 0) return hex.join(':')
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`
}

/**
 * network_data.json as Nova writes it (nova/virt/netutils.py): a link per NIC (`tap` + the port id's first 11
 * characters, type phy, its MAC and MTU), a network per fixed IP's subnet — static `ipv4`/`ipv6` with the address,
 * netmask, the default route via the gateway plus the host routes, and the subnet's DNS servers — and every DNS server
 * once in `services`. A NIC that is really on user-mode NAT gets `ipv4_dhcp` instead (its Neutron address is not the
 * one it has).
 */
export function networkData(nics: GuestNic[]): { links: unknown[]; networks: unknown[]; services: { type: string; address: string }[] } {
  const links: unknown[] = []
  const networks: unknown[] = []
  const services: { type: string; address: string }[] = []
  const addService = (address: string) => {
    if (!services.some((s) => s.address === address)) services.push({ type: 'dns', address })
  }
  nics.forEach((nic, i) => {
    if (nic.kind === 'user') {
      const link = `tap${i}`
      links.push({ id: link, type: 'phy', ethernet_mac_address: nic.mac, mtu: 1500, vif_id: `user-${i}` })
      networks.push({ id: `network${networks.length}`, type: 'ipv4_dhcp', link, network_id: 'user-net' })
      return
    }
    const { port, network } = nic.vif
    const link = `tap${port.id.slice(0, 11)}`
    links.push({ id: link, vif_id: port.id, type: 'phy', mtu: network?.mtu ?? null, ethernet_mac_address: port.mac_address })
    if (nic.userMode) {
      networks.push({ id: `network${networks.length}`, type: 'ipv4_dhcp', link, network_id: port.network_id })
      return
    }
    const seen = new Set<string>()
    for (const f of port.fixed_ips) {
      // One network entry per subnet (Nova uses the subnet's first address of the port).
      if (seen.has(f.subnet_id)) continue
      seen.add(f.subnet_id)
      const subnet = nic.vif.subnets.get(f.subnet_id)
      const v6 = f.ip_address.includes(':')
      const routes: { network: string; netmask: string; gateway: string }[] = []
      if (subnet?.gateway_ip) routes.push({ network: v6 ? '::' : '0.0.0.0', netmask: v6 ? '::' : '0.0.0.0', gateway: subnet.gateway_ip })
      for (const r of subnet?.host_routes ?? []) routes.push({ network: r.destination.split('/')[0]!, netmask: netmaskOf(r.destination), gateway: r.nexthop })
      const dns = (subnet?.dns_nameservers ?? []).map((address) => ({ type: 'dns', address }))
      dns.forEach((d) => addService(d.address))
      networks.push({
        id: `network${networks.length}`,
        type: v6 ? 'ipv6' : 'ipv4',
        link,
        ip_address: f.ip_address,
        netmask: subnet ? netmaskOf(subnet.cidr) : v6 ? 'ffff:ffff:ffff:ffff::' : '255.255.255.0',
        routes,
        network_id: port.network_id,
        services: dns,
      })
    }
  })
  return { links, networks, services }
}

/** The config drive's files (openstack/latest/…), as cloud-init's OpenStack datasource and the guest image read them. */
export function configDriveFiles(input: MetadataInput): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {
    'openstack/latest/meta_data.json': JSON.stringify(metaData(input.instance)),
    'openstack/latest/network_data.json': JSON.stringify(networkData(input.nics)),
    'openstack/latest/vendor_data.json': '{}',
    'openstack/latest/vendor_data2.json': '{}',
  }
  const ud = userDataOf(input.instance)
  if (ud) files['openstack/latest/user_data'] = ud
  return files
}

/** A node of the EC2 tree: a value, or a folder. `_name` replaces a folder's listing line (public-keys/0 → 0=key). */
export type Ec2Node = string | Buffer | { [key: string]: Ec2Node }

/** EC2-style ids from UUIDs (Nova's are i-/ami- and eight hex digits of an integer id). */
const ec2Id = (prefix: string, uuid: string | null) => `${prefix}-${(uuid ?? '').replace(/-/g, '').slice(0, 8).padStart(8, '0')}`

/**
 * The EC2 metadata of an EC2 version (Nova's get_ec2_metadata): `meta-data` and, when there is some, `user-data`.
 * `local-ipv4`/`public-ipv4` are those of `nicIndex` (the NIC the request came in on), else the first NIC's.
 */
export function ec2Metadata(input: MetadataInput, version: string, nicIndex = 0): { [key: string]: Ec2Node } {
  const v = version === 'latest' ? EC2_VERSIONS[EC2_VERSIONS.length - 1] : version
  const at = (required: string) => v >= required
  const inst = input.instance
  const hostname = hostnameOf(inst.name)
  const ports = input.nics.flatMap((n) => (n.kind === 'port' ? [n.vif] : []))
  const own = input.nics[nicIndex]?.kind === 'port' ? (input.nics[nicIndex] as { vif: Vif }).vif : ports[0]
  const v4 = (vif: Vif | undefined) => vif?.port.fixed_ips.find((f) => !f.ip_address.includes(':'))?.ip_address
  const localIpv4 = v4(own) ?? ports.map(v4).find(Boolean) ?? (input.nics.some((n) => n.kind === 'user') ? '10.0.2.15' : '')
  const floating = [own, ...ports].flatMap((p) => p?.floatingIps ?? []).find((a) => !a.includes(':')) ?? ''
  const md: { [key: string]: Ec2Node } = {
    'ami-id': ec2Id('ami', inst.image_id),
    'ami-launch-index': String(inst.launch_index),
    'ami-manifest-path': 'FIXME',
    'instance-id': ec2Id('i', inst.id),
    hostname,
    'local-ipv4': localIpv4,
    'reservation-id': inst.reservation_id,
    'security-groups': input.securityGroupNames.join('\n'),
  }
  if (inst.key_name && inst.key_data) md['public-keys'] = { '0': { _name: `0=${inst.key_name}`, 'openssh-key': inst.key_data } }
  if (at('2007-01-19')) {
    md['local-hostname'] = hostname
    md['public-hostname'] = hostname
    md['public-ipv4'] = floating
  }
  if (at('2007-08-29')) md['instance-type'] = inst.flavor.name
  if (at('2007-12-15')) md['block-device-mapping'] = { ami: 'vda', root: '/dev/vda' }
  if (at('2008-02-01')) md.placement = { 'availability-zone': inst.availability_zone }
  if (at('2008-09-01')) md['instance-action'] = 'none'
  const data: { [key: string]: Ec2Node } = { 'meta-data': md }
  const ud = userDataOf(inst)
  if (ud) data['user-data'] = ud
  return data
}

/** Nova's listing of an EC2 folder: sorted keys, a folder with a slash (or its `_name`). */
export function ec2Listing(node: { [key: string]: Ec2Node }): string {
  return Object.keys(node)
    .filter((k) => k !== '_name')
    .sort()
    .map((k) => {
      const child = node[k]!
      if (typeof child === 'string' || Buffer.isBuffer(child)) return k
      return typeof child._name === 'string' ? child._name : `${k}/`
    })
    .join('\n')
}
