/** IPv4 addresses and CIDRs as Neutron checks them (Stackling's networks are IPv4 only). Pure. */

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

/** True when `ip` is a host address (not the network or broadcast address) of `cidr`. */
export function isHostOf(ip: string, cidr: string): boolean {
  const a = parseIpv4(ip)
  const c = checkCidr(cidr)
  return a !== null && c.ok && a >= c.first && a <= c.last
}
