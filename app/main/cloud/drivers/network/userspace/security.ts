import type { TopologyRule } from '../network-driver'
import { inCidr, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, parseCidr, type Cidr } from './packet'

const PROTOCOLS: Record<string, number> = { tcp: IPPROTO_TCP, udp: IPPROTO_UDP, icmp: IPPROTO_ICMP }

/** A security-group rule ready for matching: protocol number (-1 any), port or ICMP type/code ranges, remote. */
export interface CompiledRule {
  proto: number
  min: number
  max: number
  remote: Cidr | null
  /** The IPv4 addresses of the ports in remote_group_id (recomputed on every topology sync). */
  group: Set<number> | null
}

/** Compiles the IPv4 rules of one direction. `groupIps` gives the member addresses of a group id. */
export function compileRules(rules: TopologyRule[], direction: 'ingress' | 'egress', groupIps: (id: string) => Set<number>): CompiledRule[] {
  const out: CompiledRule[] = []
  for (const r of rules) {
    if (r.direction !== direction || r.ethertype !== 'IPv4') continue
    let proto = -1
    if (r.protocol !== null && r.protocol !== 'any') {
      proto = PROTOCOLS[r.protocol] ?? Number(r.protocol)
      if (!Number.isInteger(proto)) continue
    }
    const remote = r.remote_ip_prefix ? parseCidr(r.remote_ip_prefix) ?? null : null
    if (r.remote_ip_prefix && !remote) continue
    out.push({ proto, min: r.port_range_min ?? -1, max: r.port_range_max ?? -1, remote, group: r.remote_group_id ? groupIps(r.remote_group_id) : null })
  }
  return out
}

function matches(r: CompiledRule, proto: number, remoteIp: number, dport: number, icmpType: number, icmpCode: number): boolean {
  if (r.proto !== -1 && r.proto !== proto) return false
  if (r.remote && !inCidr(remoteIp, r.remote)) return false
  if (r.group && !r.group.has(remoteIp)) return false
  if (r.proto === IPPROTO_TCP || r.proto === IPPROTO_UDP) {
    if (r.min !== -1 && (dport < r.min || dport > (r.max === -1 ? r.min : r.max))) return false
  } else if (r.proto === IPPROTO_ICMP) {
    if (r.min !== -1 && icmpType !== r.min) return false
    if (r.max !== -1 && icmpCode !== r.max) return false
  }
  return true
}

/**
 * The conntrack key: 7 UTF-16 code units (16-bit halves of the addresses, the ports, the protocol with a flag per
 * absent port). Several times cheaper to build and hash per packet than the decimal text of the same numbers.
 */
function connKey(proto: number, local: number, lport: number, remote: number, rport: number): string {
  return String.fromCharCode(proto | (lport < 0 ? 0x100 : 0) | (rport < 0 ? 0x200 : 0), local >>> 16, local & 0xffff, lport & 0xffff, remote >>> 16, remote & 0xffff, rport & 0xffff)
}

const TIMEOUT_MS: Record<number, number> = { [IPPROTO_TCP]: 600_000, [IPPROTO_UDP]: 60_000, [IPPROTO_ICMP]: 30_000 }
const MAX_ENTRIES = 65536

/**
 * The stateful firewall of one port (what Neutron's iptables/OVS firewall does per port): a packet passes when a
 * connection it belongs to is already tracked (either direction: replies pass), or when a rule of its direction
 * allows it, which then tracks the connection. Entries are keyed from the port's own point of view
 * (protocol, local address and port, remote address and port), so a reply finds the entry its request made.
 */
export class PortFirewall {
  ingress: CompiledRule[] = []
  egress: CompiledRule[] = []
  private readonly conns = new Map<string, number>()
  private sweepAt = 0

  /** Drops tracked connections (rules changed: a connection a removed rule allowed must not live on). */
  reset(): void {
    this.conns.clear()
  }

  get tracked(): number {
    return this.conns.size
  }

  /**
   * @param dir 'egress' = the port's guest sends; 'ingress' = it receives.
   * @param local/remote the port's address and the other end's (for ingress: dst and src of the packet).
   * @param lport/rport the ports at each end (-1 for none); for ICMP echo both are the identifier.
   */
  allow(dir: 'ingress' | 'egress', proto: number, local: number, lport: number, remote: number, rport: number, icmpType: number, icmpCode: number, now: number): boolean {
    const key = connKey(proto, local, lport, remote, rport)
    const exp = this.conns.get(key)
    const timeout = TIMEOUT_MS[proto] ?? 60_000
    if (exp !== undefined && exp > now) {
      this.conns.set(key, now + timeout)
      return true
    }
    // ICMP errors (unreachable, time exceeded) about tracked traffic are "related": let them in.
    if (proto === IPPROTO_ICMP && dir === 'ingress' && (icmpType === 3 || icmpType === 11) && this.conns.size > 0) return true
    const dport = dir === 'ingress' ? lport : rport
    const rules = dir === 'ingress' ? this.ingress : this.egress
    for (const r of rules) {
      if (matches(r, proto, remote, dport, icmpType, icmpCode)) {
        if (now > this.sweepAt) this.sweep(now)
        if (this.conns.size < MAX_ENTRIES) this.conns.set(key, now + timeout)
        return true
      }
    }
    return false
  }

  private sweep(now: number): void {
    this.sweepAt = now + 10_000
    for (const [k, exp] of this.conns) if (exp <= now) this.conns.delete(k)
  }
}
