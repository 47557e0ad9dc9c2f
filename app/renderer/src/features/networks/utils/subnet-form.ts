import type { CreateSubnetBody } from '../../../lib/openstack/network'
import { checkCidr, formatIpv4, parseIpv4 } from './network-form'

/** The create-subnet form of a network's detail page, its checks (Neutron's, IPv4 only) and the request body. Pure. */
export interface SubnetForm {
  name: string
  cidr: string
  /** '' lets Neutron take the first host of the CIDR. */
  gateway: string
  noGateway: boolean
  enableDhcp: boolean
  /** Nameservers handed out by DHCP, separated by commas, spaces or lines. */
  dns: string
  /** One allocation pool; both empty lets Neutron use the whole range but the gateway. */
  poolStart: string
  poolEnd: string
}

export type SubnetErrors = Partial<Record<keyof SubnetForm, string>>

/** Neutron's max_dns_nameservers default. */
export const MAX_DNS = 5

export const emptySubnetForm = (): SubnetForm => ({ name: '', cidr: '', gateway: '', noGateway: false, enableDhcp: true, dns: '', poolStart: '', poolEnd: '' })

export const splitList = (s: string): string[] =>
  s
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean)

/** The first range of `cidrs` that overlaps `cidr`, if any. */
export function overlapping(cidr: string, cidrs: readonly string[]): string | undefined {
  const c = checkCidr(cidr)
  if (!c.ok) return undefined
  const end = c.last + 1
  return cidrs.find((other) => {
    const o = checkCidr(other)
    return o.ok && c.network <= o.last + 1 && o.network <= end
  })
}

export function validateSubnetForm(f: SubnetForm, existingCidrs: readonly string[] = []): SubnetErrors {
  const e: SubnetErrors = {}
  if (f.name !== f.name.trim()) e.name = 'No spaces at the start or the end.'
  else if (f.name.length > 255) e.name = 'At most 255 characters.'
  const cidr = checkCidr(f.cidr)
  if (!cidr.ok) e.cidr = cidr.error
  else {
    const clash = overlapping(f.cidr, existingCidrs)
    if (clash) e.cidr = `Overlaps ${clash}, already a subnet of this network: choose another range.`
  }
  const inRange = (ip: number) => cidr.ok && ip >= cidr.first && ip <= cidr.last
  const hosts = cidr.ok ? `from ${formatIpv4(cidr.first)} to ${formatIpv4(cidr.last)}` : ''
  let gw: number | null = null
  if (!f.noGateway && f.gateway.trim()) {
    gw = parseIpv4(f.gateway)
    if (gw === null) e.gateway = 'An IPv4 address, e.g. 10.0.0.1.'
    else if (cidr.ok && !inRange(gw)) e.gateway = `Not a host of ${f.cidr.trim()}: ${hosts}.`
  } else if (!f.noGateway && cidr.ok) gw = cidr.first
  const dns = splitList(f.dns)
  const badDns = dns.find((d) => parseIpv4(d) === null)
  if (badDns) e.dns = `${badDns} is not an IPv4 address (give the nameservers' addresses, e.g. 9.9.9.9).`
  else if (dns.length > MAX_DNS) e.dns = `At most ${MAX_DNS} nameservers.`
  else if (new Set(dns).size !== dns.length) e.dns = 'A nameserver is given twice.'
  const start = f.poolStart.trim()
  const end = f.poolEnd.trim()
  if (start || end) {
    const s = parseIpv4(start)
    const t = parseIpv4(end)
    if (!start) e.poolStart = 'Give the first address of the pool too.'
    else if (s === null) e.poolStart = 'An IPv4 address.'
    else if (cidr.ok && !inRange(s)) e.poolStart = `Not a host of the subnet: ${hosts}.`
    if (!end) e.poolEnd = 'Give the last address of the pool too.'
    else if (t === null) e.poolEnd = 'An IPv4 address.'
    else if (cidr.ok && !inRange(t)) e.poolEnd = `Not a host of the subnet: ${hosts}.`
    if (!e.poolStart && !e.poolEnd && s !== null && t !== null) {
      if (s > t) e.poolEnd = 'The pool ends before it starts.'
      else if (gw !== null && gw >= s && gw <= t) e.poolStart = `The gateway ${formatIpv4(gw)} is inside the pool: start the pool after it (or move the gateway).`
    }
  }
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v)) as SubnetErrors
}

export const hasSubnetErrors = (e: SubnetErrors): boolean => Object.values(e).some(Boolean)

export function buildSubnetBody(f: SubnetForm, networkId: string, networkName: string): CreateSubnetBody {
  const subnet: CreateSubnetBody['subnet'] = { network_id: networkId, ip_version: 4, cidr: f.cidr.trim(), name: f.name.trim() || `${networkName}-subnet` }
  if (f.noGateway) subnet.gateway_ip = null
  else if (f.gateway.trim()) subnet.gateway_ip = f.gateway.trim()
  if (!f.enableDhcp) subnet.enable_dhcp = false
  const dns = splitList(f.dns)
  if (dns.length) subnet.dns_nameservers = dns
  if (f.poolStart.trim() && f.poolEnd.trim()) subnet.allocation_pools = [{ start: f.poolStart.trim(), end: f.poolEnd.trim() }]
  return { subnet }
}
