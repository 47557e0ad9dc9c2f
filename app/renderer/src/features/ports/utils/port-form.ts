import { isHostOf, parseIpv4 } from '../../../lib/ipv4'
import { DEVICE_OWNER, type CreatePortBody, type Port, type SecurityGroup, type Subnet, type UpdatePortBody } from '../../../lib/openstack/network'

/** The Ports panel's filters, create form, and which actions a port allows (as Neutron's policy). Pure. */

/** Device-owner filter choices; the value is sent as `device_owner=` ('' asks for ports nobody uses). */
export const OWNER_FILTERS: { value: string; label: string }[] = [
  { value: 'compute:nova', label: 'Instances (compute:nova)' },
  { value: DEVICE_OWNER.routerInterface, label: 'Router interfaces' },
  { value: DEVICE_OWNER.routerGateway, label: 'Router gateways' },
  { value: DEVICE_OWNER.floatingIp, label: 'Floating IPs' },
  { value: DEVICE_OWNER.dhcp, label: 'DHCP' },
  { value: '', label: 'Unattached (no owner)' },
]

/** The owner filter's "any" choice (no `device_owner=` at all). */
export const ANY = '*'

export interface PortForm {
  networkId: string
  name: string
  /** '' lets Neutron choose the subnet (the first with a free address). */
  subnetId: string
  /** '' lets Neutron choose a free address. */
  ipAddress: string
  /** Security group IDs. */
  securityGroups: string[]
  adminStateUp: boolean
}

export type PortErrors = Partial<Record<keyof PortForm, string>>

export const emptyPortForm = (networkId = '', defaultGroupId?: string): PortForm => ({
  networkId,
  name: '',
  subnetId: '',
  ipAddress: '',
  securityGroups: defaultGroupId ? [defaultGroupId] : [],
  adminStateUp: true,
})

export function validatePortForm(f: PortForm, subnets: readonly Subnet[]): PortErrors {
  const e: PortErrors = {}
  if (!f.networkId) e.networkId = 'Choose the network the port is on.'
  if (f.name !== f.name.trim()) e.name = 'No spaces at the start or the end.'
  else if (f.name.length > 255) e.name = 'At most 255 characters.'
  const own = subnets.filter((s) => s.network_id === f.networkId)
  if (f.networkId && own.length === 0) e.networkId = 'This network has no subnet: the port would get no address. Add a subnet to it first.'
  const ip = f.ipAddress.trim()
  if (ip) {
    if (parseIpv4(ip) === null) e.ipAddress = 'An IPv4 address, e.g. 10.0.0.20.'
    else {
      const within = f.subnetId ? own.filter((s) => s.id === f.subnetId) : own
      if (!within.some((s) => isHostOf(ip, s.cidr))) e.ipAddress = `Not an address of ${within.map((s) => s.cidr).join(' or ') || 'the subnet'}.`
      else if (within.some((s) => s.gateway_ip === ip)) e.ipAddress = 'That is the gateway address (the router uses it): choose another.'
    }
  }
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v)) as PortErrors
}

export const hasPortErrors = (e: PortErrors): boolean => Object.values(e).some(Boolean)

export function buildCreatePortBody(f: PortForm): CreatePortBody {
  const port: CreatePortBody['port'] = { network_id: f.networkId }
  if (f.name.trim()) port.name = f.name.trim()
  const ip = f.ipAddress.trim()
  if (f.subnetId || ip) port.fixed_ips = [{ ...(f.subnetId ? { subnet_id: f.subnetId } : {}), ...(ip ? { ip_address: ip } : {}) }]
  port.security_groups = [...f.securityGroups]
  if (!f.adminStateUp) port.admin_state_up = false
  return { port }
}

export const buildSecurityGroupsBody = (ids: readonly string[]): UpdatePortBody => ({ port: { security_groups: [...ids] } })

/** Why a port cannot be deleted from the Ports panel (Neutron manages it), or null. */
export function deleteBlocker(p: Pick<Port, 'device_owner'>): string | null {
  switch (p.device_owner) {
    case DEVICE_OWNER.routerInterface:
      return 'A router interface: remove it from the router instead (openstack router remove subnet).'
    case DEVICE_OWNER.routerGateway:
      return "The router's gateway: clear the router's external gateway instead (openstack router unset --external-gateway)."
    case DEVICE_OWNER.floatingIp:
      return 'The port of a floating IP: release the floating IP instead (Network → Floating IPs).'
    case DEVICE_OWNER.dhcp:
      return "The network's DHCP server: Neutron manages it."
    default:
      return null
  }
}

/** Why a port's security groups cannot be edited, or null. */
export function securityGroupsBlocker(p: Pick<Port, 'device_owner' | 'port_security_enabled'>): string | null {
  if (p.device_owner.startsWith('network:')) return 'Router, DHCP and floating IP ports have no security groups: Neutron does not filter them.'
  if (p.port_security_enabled === false) return 'Port security is off on this port: nothing is filtered, so it takes no security groups.'
  return null
}

/** The names of the groups, in the order given; unknown IDs shortened. */
export const groupNames = (ids: readonly string[], groups: readonly SecurityGroup[]): string[] =>
  ids.map((id) => groups.find((g) => g.id === id)?.name ?? `${id.slice(0, 8)}…`)
