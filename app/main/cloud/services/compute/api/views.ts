import { createHash } from 'node:crypto'
import type { AuthContext } from '../../../platform/auth-context'
import { isAdmin } from '../../../platform/auth-context'
import type { SecurityGroupInfo } from '../instance-network'
import type { Flavor, Instance, Keypair, TaskState, VmState } from '../models'

/** Nova's whole-second timestamps: 2012-08-20T21:11:09Z */
export const novaTime = (iso: string | null): string | null => (iso ? iso.replace(/\.\d+Z$/, 'Z') : null)

/** The status Nova derives from vm_state and task_state. */
export function serverStatus(vm: VmState, task: TaskState | null): string {
  switch (vm) {
    case 'building':
      return 'BUILD'
    case 'active':
      if (task === 'rebooting') return 'REBOOT'
      if (task === 'rebooting_hard') return 'HARD_REBOOT'
      if (task === 'rebuilding') return 'REBUILD'
      return 'ACTIVE'
    case 'stopped':
      return 'SHUTOFF'
    case 'paused':
      return 'PAUSED'
    case 'suspended':
      return 'SUSPENDED'
    case 'error':
      return 'ERROR'
    case 'deleted':
      return 'DELETED'
  }
}

const link = (base: string, kind: string, id: string) => [
  { rel: 'self', href: `${base}/v2.1/${kind}/${id}` },
  { rel: 'bookmark', href: `${base}/${kind}/${id}` },
]

export function serverRef(base: string, i: Instance) {
  return { id: i.id, name: i.name, links: link(base, 'servers', i.id) }
}

/** What the network service says of the server (live); without it the record's addresses and 'default'. */
export interface ServerNetworkFields {
  addresses: Instance['addresses']
  securityGroups?: { name: string }[]
}

/** GET /servers/detail and /servers/{id} at microversion 2.1 (with the OS-EXT-* extensions). */
export function serverView(base: string, i: Instance, ctx: AuthContext, net?: ServerNetworkFields, volumeIds: string[] = []) {
  const view: Record<string, unknown> = {
    id: i.id,
    name: i.name,
    status: serverStatus(i.vm_state, i.task_state),
    tenant_id: i.project_id,
    user_id: i.user_id,
    metadata: i.metadata,
    hostId: i.host ? createHash('sha224').update(i.project_id + i.host).digest('hex') : '',
    image: i.image_id ? { id: i.image_id, links: [{ rel: 'bookmark', href: `${base}/images/${i.image_id}` }] } : '',
    flavor: { id: i.flavor_id, links: [{ rel: 'bookmark', href: `${base}/flavors/${i.flavor_id}` }] },
    created: novaTime(i.created_at),
    updated: novaTime(i.updated_at),
    addresses: net ? net.addresses : i.addresses,
    accessIPv4: i.access_ipv4,
    accessIPv6: i.access_ipv6,
    links: link(base, 'servers', i.id),
    'OS-DCF:diskConfig': 'MANUAL',
    progress: i.vm_state === 'building' ? 0 : 100,
    'OS-EXT-AZ:availability_zone': i.availability_zone,
    config_drive: i.config_drive ? 'True' : '',
    key_name: i.key_name,
    'OS-SRV-USG:launched_at': i.launched_at ? i.launched_at.replace('Z', '') : null,
    'OS-SRV-USG:terminated_at': i.terminated_at ? i.terminated_at.replace('Z', '') : null,
    'OS-EXT-STS:task_state': i.task_state,
    'OS-EXT-STS:vm_state': i.vm_state,
    'OS-EXT-STS:power_state': i.power_state,
    // At 2.1 only the ids (delete_on_termination appears at 2.3).
    'os-extended-volumes:volumes_attached': volumeIds.map((id) => ({ id })),
  }
  // Nova leaves the key out for a server with no ports.
  const groups = net ? net.securityGroups : [{ name: 'default' }]
  if (groups) view.security_groups = groups
  if (isAdmin(ctx)) {
    view['OS-EXT-SRV-ATTR:host'] = i.host
    view['OS-EXT-SRV-ATTR:instance_name'] = `instance-${i.id.slice(0, 8)}`
    view['OS-EXT-SRV-ATTR:hypervisor_hostname'] = i.host
  }
  if (i.fault && (i.vm_state === 'error' || i.vm_state === 'deleted')) {
    view.fault = {
      code: i.fault.code,
      created: novaTime(i.fault.created),
      message: i.fault.message,
      ...(isAdmin(ctx) && i.fault.details ? { details: i.fault.details } : {}),
    }
  }
  return view
}

export function flavorView(base: string, f: Flavor, detail = true) {
  const view: Record<string, unknown> = { id: f.id, name: f.name, links: link(base, 'flavors', f.id) }
  if (!detail) return view
  return {
    ...view,
    ram: f.ram,
    vcpus: f.vcpus,
    disk: f.disk,
    swap: f.swap === 0 ? '' : f.swap,
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeral,
    'OS-FLV-DISABLED:disabled': false,
    'os-flavor-access:is_public': f.is_public,
    rxtx_factor: f.rxtx_factor,
  }
}

export function keypairView(k: Keypair, extra: Record<string, unknown> = {}) {
  return { name: k.name, public_key: k.public_key, fingerprint: k.fingerprint, ...extra }
}

/** A port of a server as os-interface shows it (interfaceAttachment at 2.1). */
export function interfaceView(port: { id: string; status: string; network_id: string; mac_address: string; fixed_ips: { subnet_id: string; ip_address: string }[] }) {
  return { port_state: port.status, fixed_ips: port.fixed_ips.map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })), port_id: port.id, net_id: port.network_id, mac_addr: port.mac_address }
}

/** A security group in the os-security-groups shape (Nova's proxy of Neutron's): ingress rules only, Nova's fields. */
export function securityGroupView(g: SecurityGroupInfo, names: Map<string, SecurityGroupInfo> = new Map()) {
  return {
    id: g.id,
    name: g.name,
    description: g.description,
    tenant_id: g.project_id,
    rules: g.rules
      .filter((r) => r.direction === 'ingress')
      .map((r) => {
        const remote = r.remote_group_id ? (names.get(r.remote_group_id) ?? (r.remote_group_id === g.id ? g : undefined)) : undefined
        // A protocol with no port range: TCP/UDP mean every port (1–65535), anything else -1 (Nova's conversion).
        const allPorts = !!r.protocol && r.port_range_min === null && r.port_range_max === null
        const tcpUdp = ['tcp', 'udp'].includes(String(r.protocol).toLowerCase())
        return {
          id: r.id,
          parent_group_id: g.id,
          ip_protocol: r.protocol,
          from_port: allPorts ? (tcpUdp ? 1 : -1) : r.port_range_min,
          to_port: allPorts ? (tcpUdp ? 65535 : -1) : r.port_range_max,
          ip_range: r.remote_group_id ? {} : { cidr: r.remote_ip_prefix ?? '0.0.0.0/0' },
          group: r.remote_group_id ? { name: remote?.name ?? r.remote_group_id, tenant_id: remote?.project_id ?? g.project_id } : {},
        }
      }),
  }
}
