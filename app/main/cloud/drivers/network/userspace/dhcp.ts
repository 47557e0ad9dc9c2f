import { buildUdp, macAt, type Cidr } from './packet'

/** What one port is told (from Neutron's records: the port's fixed IP and its subnet). */
export interface DhcpLease {
  ip: number
  prefix: number
  router: number | null
  dns: number[]
  mtu: number
  hostname: string
  domain: string
  /** Classless static routes (option 121): host_routes, 169.254.169.254/32 and the default route. */
  routes: { dest: Cidr; via: number }[]
  /** The server identifier (option 54) and the source address of the answers. */
  server: number
  leaseSeconds: number
}

const MAGIC = 0x63825363
const DISCOVER = 1
const REQUEST = 3
const OFFER = 2
const ACK = 5
const NAK = 6
const INFORM = 8

/** The options of a BOOTP payload (code → value), or undefined when it is not a DHCP message. */
function options(d: Buffer): Map<number, Buffer> | undefined {
  if (d.length < 240 || d.readUInt32BE(236) !== MAGIC) return undefined
  const out = new Map<number, Buffer>()
  let i = 240
  while (i < d.length) {
    const code = d[i]!
    if (code === 255) break
    if (code === 0) {
      i++
      continue
    }
    const len = d[i + 1]
    if (len === undefined || i + 2 + len > d.length) break
    out.set(code, d.subarray(i + 2, i + 2 + len))
    i += 2 + len
  }
  return out
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

/** Option 121 (RFC 3442): prefix length, the significant octets of the destination, the router. */
function classlessRoutes(routes: { dest: Cidr; via: number }[]): Buffer {
  const parts: Buffer[] = []
  for (const r of routes) {
    const octets = Math.ceil(r.dest.prefix / 8)
    const b = Buffer.alloc(1 + octets + 4)
    b[0] = r.dest.prefix
    u32(r.dest.base).copy(b, 1, 0, octets)
    b.writeUInt32BE(r.via >>> 0, 1 + octets)
    parts.push(b)
  }
  return Buffer.concat(parts)
}

/**
 * Answers one DHCP message (DISCOVER → OFFER, REQUEST → ACK or NAK, INFORM → ACK) for the client's lease, or
 * returns undefined (not DHCP, not ours to answer, or a port that has no address). The reply is a whole
 * Ethernet frame from `serverMac`.
 */
export function answerDhcp(frame: Buffer, l4: number, lease: DhcpLease | undefined, serverMac: number): Buffer | undefined {
  if (frame.length < l4 + 8 || frame.readUInt16BE(l4 + 2) !== 67) return undefined
  const d = frame.subarray(l4 + 8)
  if (d[0] !== 1 || d[1] !== 1 || d[2] !== 6) return undefined
  const opts = options(d)
  const type = opts?.get(53)?.[0]
  if (!opts || type === undefined || !lease) return undefined
  const chaddr = macAt(d, 28)
  let reply: number
  if (type === DISCOVER) reply = OFFER
  else if (type === REQUEST) {
    const requested = opts.get(50)?.readUInt32BE(0) ?? d.readUInt32BE(12)
    const server = opts.get(54)?.readUInt32BE(0)
    if (server !== undefined && server !== lease.server) return undefined // the client chose another server
    reply = requested === lease.ip ? ACK : NAK
  } else if (type === INFORM) reply = ACK
  else return undefined // DECLINE, RELEASE: nothing to answer

  const o: Buffer[] = []
  const opt = (code: number, value: Buffer) => o.push(Buffer.from([code, value.length]), value)
  opt(53, Buffer.from([reply]))
  opt(54, u32(lease.server))
  if (reply !== NAK) {
    if (type !== INFORM) {
      opt(51, u32(lease.leaseSeconds))
      opt(58, u32(Math.floor(lease.leaseSeconds / 2)))
      opt(59, u32(Math.floor((lease.leaseSeconds * 7) / 8)))
    }
    const mask = maskOf(lease.prefix)
    opt(1, u32(mask))
    opt(28, u32((lease.ip & mask) | (~mask >>> 0)))
    if (lease.router !== null) opt(3, u32(lease.router))
    if (lease.dns.length) opt(6, Buffer.concat(lease.dns.map(u32)))
    if (lease.hostname) opt(12, Buffer.from(lease.hostname.slice(0, 63)))
    if (lease.domain) opt(15, Buffer.from(lease.domain))
    const mtu = Buffer.alloc(2)
    mtu.writeUInt16BE(lease.mtu)
    opt(26, mtu)
    if (lease.routes.length) {
      const r = classlessRoutes(lease.routes)
      if (r.length <= 255) opt(121, r)
    }
  }
  o.push(Buffer.from([255]))
  const body = Buffer.alloc(240)
  body[0] = 2
  body[1] = 1
  body[2] = 6
  d.copy(body, 4, 4, 8) // xid
  d.copy(body, 10, 10, 12) // flags
  if (type === INFORM) d.copy(body, 12, 12, 16) // ciaddr
  if (reply !== NAK && type !== INFORM) body.writeUInt32BE(lease.ip, 16)
  body.writeUInt32BE(lease.server, 20)
  d.copy(body, 28, 28, 44) // chaddr
  body.writeUInt32BE(MAGIC, 236)
  const payload = Buffer.concat([body, ...o])
  const broadcast = reply === NAK || (d.readUInt16BE(10) & 0x8000) !== 0
  const dstIp = broadcast ? 0xffffffff : type === INFORM ? d.readUInt32BE(12) : lease.ip
  const dstMac = broadcast ? 0xffffffffffff : chaddr
  return buildUdp(dstMac, serverMac, lease.server, dstIp, 67, 68, payload)
}

