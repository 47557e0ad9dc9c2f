import { checkCidr, formatIpv4, parseIpv4 } from '../../../lib/ipv4'
import type { CreateNetworkBody, CreateSubnetBody } from '../../../lib/openstack/network'

export { checkCidr, formatIpv4, parseIpv4, type CidrCheck } from '../../../lib/ipv4'

/** The create-network form as typed, its checks (Neutron's, IPv4 only as Stackling) and the request bodies. Pure. */
export interface NetworkForm {
  name: string
  withSubnet: boolean
  subnetName: string
  cidr: string
  /** '' lets Neutron take the first host of the CIDR. */
  gateway: string
  noGateway: boolean
  enableDhcp: boolean
  /** Admins only. */
  shared: boolean
  external: boolean
}

export type NetworkErrors = Partial<Record<keyof NetworkForm, string>>

export const emptyNetworkForm = (): NetworkForm => ({
  name: '',
  withSubnet: true,
  subnetName: '',
  cidr: '',
  gateway: '',
  noGateway: false,
  enableDhcp: true,
  shared: false,
  external: false,
})

function checkName(name: string, what: string, existing: readonly string[]): string | undefined {
  if (name !== name.trim()) return 'No spaces at the start or the end.'
  if (/[\x00-\x1f]/.test(name)) return 'No control characters.'
  if (name.length > 255) return 'At most 255 characters.'
  if (name && existing.includes(name)) return `A ${what} has this name already (Neutron allows it, but the CLI then needs IDs).`
  return undefined
}

export function validateNetworkForm(f: NetworkForm, existingNames: readonly string[] = []): NetworkErrors {
  const e: NetworkErrors = {}
  if (!f.name.trim()) e.name = 'Give the network a name.'
  else e.name = checkName(f.name, 'network', existingNames)
  if (f.withSubnet) {
    e.subnetName = checkName(f.subnetName, 'subnet', [])
    const cidr = checkCidr(f.cidr)
    if (!cidr.ok) e.cidr = cidr.error
    if (!f.noGateway && f.gateway.trim()) {
      const gw = parseIpv4(f.gateway)
      if (gw === null) e.gateway = 'An IPv4 address, e.g. 10.0.0.1.'
      else if (cidr.ok && (gw < cidr.first || gw > cidr.last)) e.gateway = `Not a host of ${f.cidr.trim()}: from ${formatIpv4(cidr.first)} to ${formatIpv4(cidr.last)}.`
    }
  }
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v)) as NetworkErrors
}

export const hasErrors = (e: NetworkErrors): boolean => Object.values(e).some(Boolean)

export function buildCreateNetworkBody(f: NetworkForm, isAdmin: boolean): CreateNetworkBody {
  const network: CreateNetworkBody['network'] = { name: f.name }
  if (isAdmin && f.shared) network.shared = true
  if (isAdmin && f.external) network['router:external'] = true
  return { network }
}

export function buildCreateSubnetBody(f: NetworkForm, networkId: string): CreateSubnetBody {
  const subnet: CreateSubnetBody['subnet'] = { network_id: networkId, ip_version: 4, cidr: f.cidr.trim() }
  subnet.name = f.subnetName.trim() || `${f.name}-subnet`
  if (f.noGateway) subnet.gateway_ip = null
  else if (f.gateway.trim()) subnet.gateway_ip = f.gateway.trim()
  if (!f.enableDhcp) subnet.enable_dhcp = false
  return { subnet }
}
