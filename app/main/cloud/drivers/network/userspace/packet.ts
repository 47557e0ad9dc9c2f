/**
 * Byte-level helpers for the frames the switch looks at: Ethernet II, ARP, IPv4 with TCP/UDP/ICMP. Frames are
 * Buffers starting at the Ethernet header (the stream's 4-byte length prefix is not part of them). Nothing here
 * allocates on the hot path except the builders.
 */

export const ETH_HLEN = 14
export const ETH_P_IP = 0x0800
export const ETH_P_ARP = 0x0806
export const ETH_P_IPV6 = 0x86dd
export const IPPROTO_ICMP = 1
export const IPPROTO_TCP = 6
export const IPPROTO_UDP = 17
export const BROADCAST_MAC = 0xffffffffffff

/** A 48-bit MAC as a number (exact in a double). */
export function macAt(b: Buffer, off: number): number {
  return b.readUIntBE(off, 6)
}

export function macToNumber(mac: string): number {
  return parseInt(mac.replace(/[:-]/g, ''), 16)
}

export function macToString(n: number): string {
  return n.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:')
}

export function writeMac(b: Buffer, off: number, mac: number): void {
  b.writeUIntBE(mac, off, 6)
}

/** Group bit set: broadcast or multicast. */
export function isMulticast(b: Buffer, off = 0): boolean {
  return (b[off]! & 1) === 1
}

export function ipToNumber(ip: string): number {
  const p = ip.split('.')
  if (p.length !== 4) return NaN
  return ((+p[0]! << 24) | (+p[1]! << 16) | (+p[2]! << 8) | +p[3]!) >>> 0
}

export function ipToString(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
}

export interface Cidr {
  base: number
  prefix: number
  mask: number
}

export function parseCidr(cidr: string): Cidr | undefined {
  const [ip, len] = cidr.split('/')
  const base = ipToNumber(ip ?? '')
  const prefix = Number(len ?? '32')
  if (Number.isNaN(base) || !(prefix >= 0 && prefix <= 32)) return undefined
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
  return { base: (base & mask) >>> 0, prefix, mask }
}

export function inCidr(ip: number, c: Cidr): boolean {
  return ((ip & c.mask) >>> 0) === c.base
}

/** The IPv4 header of an Ethernet frame: where it starts and where its payload starts, or undefined if malformed. */
export function ipv4(frame: Buffer): { l3: number; l4: number; proto: number; src: number; dst: number; total: number } | undefined {
  if (frame.length < ETH_HLEN + 20 || frame.readUInt16BE(12) !== ETH_P_IP) return undefined
  const l3 = ETH_HLEN
  const vihl = frame[l3]!
  if (vihl >> 4 !== 4) return undefined
  const ihl = (vihl & 15) * 4
  const total = frame.readUInt16BE(l3 + 2)
  if (ihl < 20 || total < ihl || l3 + total > frame.length) return undefined
  return { l3, l4: l3 + ihl, proto: frame[l3 + 9]!, src: frame.readUInt32BE(l3 + 12), dst: frame.readUInt32BE(l3 + 16), total }
}

/** True for the first (or only) fragment: the one that carries the L4 header. */
export function isFirstFragment(frame: Buffer, l3: number): boolean {
  return (frame.readUInt16BE(l3 + 6) & 0x1fff) === 0
}

/** Internet checksum over b[start, end) folded into `sum`. */
export function checksum(b: Buffer, start: number, end: number, sum = 0): number {
  let i = start
  for (; i + 1 < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!
  if (i < end) sum += b[i]! << 8
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return sum
}

export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

/** Recomputes the IPv4 header checksum in place. */
export function fixIpChecksum(frame: Buffer, l3: number): void {
  frame.writeUInt16BE(0, l3 + 10)
  const ihl = (frame[l3]! & 15) * 4
  frame.writeUInt16BE(finishChecksum(checksum(frame, l3, l3 + ihl)), l3 + 10)
}

/** RFC 1624 incremental update of a checksum at `off` for a 16-bit field changing from `old` to `now`. */
export function adjustChecksum16(b: Buffer, off: number, old: number, now: number): void {
  let sum = (~b.readUInt16BE(off) & 0xffff) + (~old & 0xffff) + now
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  b.writeUInt16BE(~sum & 0xffff, off)
}

/** The same for a 32-bit field (an address): two 16-bit halves. */
export function adjustChecksum32(b: Buffer, off: number, old: number, now: number): void {
  adjustChecksum16(b, off, old >>> 16, now >>> 16)
  adjustChecksum16(b, off, old & 0xffff, now & 0xffff)
}

/** Where the L4 checksum of a TCP/UDP segment is, or -1 (UDP with checksum 0 = none). */
export function l4ChecksumOffset(frame: Buffer, proto: number, l4: number): number {
  if (proto === IPPROTO_TCP && frame.length >= l4 + 18) return l4 + 16
  if (proto === IPPROTO_UDP && frame.length >= l4 + 8) return frame.readUInt16BE(l4 + 6) === 0 ? -1 : l4 + 6
  return -1
}

/** Rewrites the source (or destination) address of an IPv4 frame in place, fixing both checksums. */
export function rewriteIp(frame: Buffer, which: 'src' | 'dst', now: number): void {
  const p = ipv4(frame)
  if (!p) return
  const off = p.l3 + (which === 'src' ? 12 : 16)
  const old = frame.readUInt32BE(off)
  if (old === now) return
  frame.writeUInt32BE(now, off)
  adjustChecksum32(frame, p.l3 + 10, old, now)
  if (isFirstFragment(frame, p.l3)) {
    const c = l4ChecksumOffset(frame, p.proto, p.l4)
    if (c >= 0) adjustChecksum32(frame, c, old, now)
  }
}

/** Rewrites a TCP/UDP port (or the ICMP echo identifier, for `src`/`dst` alike) in place, fixing the checksum. */
export function rewritePort(frame: Buffer, which: 'src' | 'dst', now: number): void {
  const p = ipv4(frame)
  if (!p || !isFirstFragment(frame, p.l3)) return
  if (p.proto === IPPROTO_ICMP) {
    if (frame.length < p.l4 + 8) return
    const old = frame.readUInt16BE(p.l4 + 4)
    frame.writeUInt16BE(now, p.l4 + 4)
    adjustChecksum16(frame, p.l4 + 2, old, now)
    return
  }
  const off = p.l4 + (which === 'src' ? 0 : 2)
  if (frame.length < off + 2) return
  const old = frame.readUInt16BE(off)
  frame.writeUInt16BE(now, off)
  const c = l4ChecksumOffset(frame, p.proto, p.l4)
  if (c >= 0) adjustChecksum16(frame, c, old, now)
}

/**
 * The L4 "ports" of a packet for filtering and NAT: TCP/UDP source and destination ports; ICMP echo/reply: the
 * identifier as both; other ICMP: type and code. -1 when absent (non-first fragment, other protocols).
 */
export function l4Ports(frame: Buffer, p: { l3: number; l4: number; proto: number }): { sport: number; dport: number; icmpType: number; icmpCode: number } {
  const none = { sport: -1, dport: -1, icmpType: -1, icmpCode: -1 }
  if (!isFirstFragment(frame, p.l3)) return none
  if ((p.proto === IPPROTO_TCP || p.proto === IPPROTO_UDP) && frame.length >= p.l4 + 4) {
    return { sport: frame.readUInt16BE(p.l4), dport: frame.readUInt16BE(p.l4 + 2), icmpType: -1, icmpCode: -1 }
  }
  if (p.proto === IPPROTO_ICMP && frame.length >= p.l4 + 8) {
    const type = frame[p.l4]!
    const code = frame[p.l4 + 1]!
    const echo = type === 0 || type === 8
    const id = echo ? frame.readUInt16BE(p.l4 + 4) : -1
    return { sport: id, dport: id, icmpType: type, icmpCode: code }
  }
  return none
}

/** A new Ethernet frame with an IPv4 packet (header checksum filled in; ttl 64; DF set). */
export function buildIpv4(dstMac: number, srcMac: number, src: number, dst: number, proto: number, payload: Buffer): Buffer {
  const f = Buffer.alloc(ETH_HLEN + 20 + payload.length)
  writeMac(f, 0, dstMac)
  writeMac(f, 6, srcMac)
  f.writeUInt16BE(ETH_P_IP, 12)
  f[14] = 0x45
  f.writeUInt16BE(20 + payload.length, 16)
  f.writeUInt16BE(0x4000, 20)
  f[22] = 64
  f[23] = proto
  f.writeUInt32BE(src, 26)
  f.writeUInt32BE(dst, 30)
  payload.copy(f, 34)
  fixIpChecksum(f, 14)
  return f
}

/** A UDP datagram with its checksum (pseudo-header included). */
export function buildUdp(dstMac: number, srcMac: number, src: number, dst: number, sport: number, dport: number, data: Buffer): Buffer {
  const u = Buffer.alloc(8 + data.length)
  u.writeUInt16BE(sport, 0)
  u.writeUInt16BE(dport, 2)
  u.writeUInt16BE(u.length, 4)
  data.copy(u, 8)
  const f = buildIpv4(dstMac, srcMac, src, dst, IPPROTO_UDP, u)
  const pseudo = Buffer.alloc(12)
  pseudo.writeUInt32BE(src, 0)
  pseudo.writeUInt32BE(dst, 4)
  pseudo[9] = IPPROTO_UDP
  pseudo.writeUInt16BE(u.length, 10)
  const sum = finishChecksum(checksum(f, 34, f.length, checksum(pseudo, 0, 12)))
  f.writeUInt16BE(sum === 0 ? 0xffff : sum, 40)
  return f
}

/** An ARP packet (request: op 1, reply: op 2). */
export function buildArp(op: 1 | 2, dstMac: number, srcMac: number, senderIp: number, targetMac: number, targetIp: number): Buffer {
  const f = Buffer.alloc(42)
  writeMac(f, 0, dstMac)
  writeMac(f, 6, srcMac)
  f.writeUInt16BE(ETH_P_ARP, 12)
  f.writeUInt16BE(1, 14)
  f.writeUInt16BE(ETH_P_IP, 16)
  f[18] = 6
  f[19] = 4
  f.writeUInt16BE(op, 20)
  writeMac(f, 22, srcMac)
  f.writeUInt32BE(senderIp, 28)
  writeMac(f, 32, targetMac)
  f.writeUInt32BE(targetIp, 38)
  return f
}

/** ARP fields of an Ethernet/IPv4 ARP frame, or undefined. */
export function arp(frame: Buffer): { op: number; senderMac: number; senderIp: number; targetIp: number } | undefined {
  if (frame.length < 42 || frame.readUInt16BE(12) !== ETH_P_ARP) return undefined
  if (frame.readUInt16BE(14) !== 1 || frame.readUInt16BE(16) !== ETH_P_IP || frame[18] !== 6 || frame[19] !== 4) return undefined
  return { op: frame.readUInt16BE(20), senderMac: macAt(frame, 22), senderIp: frame.readUInt32BE(28), targetIp: frame.readUInt32BE(38) }
}

/** An ICMP echo reply to an echo request frame, from `srcMac`. */
export function buildEchoReply(req: Buffer, p: { l3: number; l4: number; src: number; dst: number; total: number }, srcMac: number): Buffer {
  const icmp = Buffer.from(req.subarray(p.l4, p.l3 + p.total))
  icmp[0] = 0
  icmp.writeUInt16BE(0, 2)
  icmp.writeUInt16BE(finishChecksum(checksum(icmp, 0, icmp.length)), 2)
  return buildIpv4(macAt(req, 6), srcMac, p.dst, p.src, IPPROTO_ICMP, icmp)
}
