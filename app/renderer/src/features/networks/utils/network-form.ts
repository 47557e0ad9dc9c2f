import type { CreateNetworkBody, CreateSubnetBody } from '../../../lib/openstack/network'

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

/** Dotted quad → 32-bit number, or null when it is not one. */
export function parseIpv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim())
  if (!m) return null
  const parts = m.slice(1).map(Number)
  if (parts.some((p, i) => p > 255 || (m[i + 1]!.length > 1 && m[i + 1]!.startsWith('0')))) return null
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!
}

export const formatIpv4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')

export type CidrCheck = { ok: true; network: number; prefix: number; first: number; last: number } | { ok: false; error: string }

/** An IPv4 subnet CIDR as Neutron accepts it: a network address (no host bits), prefix 0–30. */
export function checkCidr(text: string): CidrCheck {
  const s = text.trim()
  if (!s) return { ok: false, error: 'Give the subnet range, e.g. 10.0.0.0/24.' }
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s)
  if (!m) return { ok: false, error: 'An address and a prefix length, e.g. 10.0.0.0/24.' }
  const addr = parseIpv4(m[1]!)
  if (addr === null) return { ok: false, error: `${m[1]} is not an IPv4 address (Stackling's networks are IPv4 only).` }
  const prefix = Number(m[2])
  if (prefix > 32) return { ok: false, error: 'The prefix length is at most 32.' }
  if (prefix > 30) return { ok: false, error: 'At most /30: a smaller subnet has no room for a gateway and a host.' }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
  const network = (addr & mask) >>> 0
  if (network !== addr) return { ok: false, error: `Host bits are set: the network address is ${formatIpv4(network)}/${prefix}.` }
  const broadcast = (network | (~mask >>> 0)) >>> 0
  return { ok: true, network, prefix, first: network + 1, last: broadcast - 1 }
}

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
