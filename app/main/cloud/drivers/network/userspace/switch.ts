import { createHash } from 'node:crypto'
import type { Socket } from 'node:net'
import type { Topology, TopologyPort } from '../network-driver'
import { answerDhcp, type DhcpLease } from './dhcp'
import { FrameOutput, FrameReader, record } from './frames'
import {
  adjustChecksum16,
  arp,
  BROADCAST_MAC,
  buildArp,
  buildEchoReply,
  ETH_P_ARP,
  ETH_P_IP,
  inCidr,
  ipToNumber,
  ipv4,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  isMulticast,
  l4Ports,
  macAt,
  macToNumber,
  parseCidr,
  rewriteIp,
  rewritePort,
  writeMac,
  type Cidr,
} from './packet'
import { compileRules, PortFirewall } from './security'

export const METADATA_IP = ipToNumber('169.254.169.254')
/** The addresses the switch gives each port toward the metadata uplink (169.254.16.1 and up). */
const METADATA_ALIAS_BASE = ipToNumber('169.254.16.0')

/** A stable locally-administered fa:16:3e MAC for a virtual endpoint (the network's DHCP/gateway service, links). */
export function virtualMac(seed: string): number {
  const h = createHash('sha256').update(seed).digest()
  return macToNumber(`fa:16:3e:${h.subarray(0, 3).toString('hex')}`)
}

interface Subnet {
  id: string
  cidr: Cidr
  gateway: number | null
  dhcp: boolean
  dns: number[]
  hostRoutes: { dest: Cidr; via: number }[]
}

/** Something a frame can be delivered to on one network. */
type Endpoint = StreamPort | RouterIface | ServiceEndpoint

/** One L2 domain: a Neutron network. */
class Net {
  readonly macs = new Map<number, Endpoint>()
  readonly streams = new Set<StreamPort>()
  /** IPv4 → MAC, from Neutron's records and from ARP seen on the wire. */
  readonly neighbors = new Map<number, number>()
  /** Addresses answered by a virtual endpoint (ARP, ICMP echo). */
  readonly owners = new Map<number, RouterIface | ServiceEndpoint>()
  subnets: Subnet[] = []
  service!: ServiceEndpoint
  mtu = 1500
  external = false
  up = true
  constructor(readonly id: string) {}

  subnetOf(ip: number): Subnet | undefined {
    return this.subnets.find((s) => inCidr(ip, s.cidr))
  }
}

/** The network's own DHCP server and, when no router interface holds it, the subnet gateway's ARP/ping answers. */
class ServiceEndpoint {
  readonly kind = 'service'
  constructor(readonly net: Net, readonly mac: number) {}
}

/** A router's leg on one network (an interface, or its external gateway). */
class RouterIface {
  readonly kind = 'router'
  constructor(readonly router: RouterState, readonly net: Net, readonly subnet: Subnet | undefined, readonly ip: number, readonly mac: number, readonly gateway: boolean) {}
}

interface NatEntry {
  inside: number
  insidePort: number
  extPort: number
  expires: number
}

class RouterState {
  up = true
  snat = true
  ifaces: RouterIface[] = []
  gw: RouterIface | undefined
  routes: { dest: Cidr; via: number }[] = []
  /** floating IP → fixed IP, and back. */
  fipToFixed = new Map<number, number>()
  fixedToFip = new Map<number, number>()
  /** port forwardings: `proto|fip|extPort` → inside, and `proto|inside|insidePort` → outside. */
  pfIn = new Map<string, { ip: number; port: number }>()
  pfOut = new Map<string, { ip: number; port: number }>()
  /** SNAT (PAT to the gateway address): `proto|inside|insidePort|remote|remotePort` → entry; `proto|extPort|remote|remotePort` → entry. */
  natOut = new Map<string, NatEntry>()
  natIn = new Map<string, NatEntry>()
  nextPort = 20000
  /** Frames waiting for an ARP answer: next hop → frames. */
  waiting = new Map<string, { frames: Buffer[]; since: number }>()
  constructor(readonly id: string) {}
}

/** One socket peer of the switch: a guest NIC (by Neutron port id), a host uplink, or the metadata link. */
export class StreamPort {
  readonly kind = 'stream'
  net: Net | undefined
  spec: TopologyPort | undefined
  out: FrameOutput | undefined
  reader: FrameReader | undefined
  macs = new Set<number>()
  ips = new Set<number>()
  ipNets: Cidr[] = []
  security = false
  up = true
  readonly firewall = new PortFirewall()
  ruleSig = ''
  /** 'vm': a guest NIC; 'uplink': slirp on an external network; 'metadata': slirp serving 169.254.169.254. */
  constructor(readonly id: string, readonly role: 'vm' | 'uplink' | 'metadata') {}

  ownsIp(ip: number): boolean {
    return this.ips.has(ip) || this.ipNets.some((c) => inCidr(ip, c))
  }
}

export interface SwitchCounters {
  forwarded: number
  dropped: { [reason: string]: number }
}

/**
 * The data plane: per Neutron network an L2 learning switch with port security and a stateful security-group
 * firewall per port; per network a DHCP server and the gateway's ARP/ICMP answers from Neutron's records; per router
 * L3 forwarding between its networks, SNAT and floating-IP NAT toward the external network (where a slirp uplink
 * leads to the computer); the metadata address intercepted and NATed to a per-port listener behind the metadata
 * uplink. Everything is rebuilt from a Topology snapshot by `apply`; sockets, conntrack and NAT tables survive it.
 */
export class VirtualSwitch {
  private nets = new Map<string, Net>()
  private routers = new Map<string, RouterState>()
  readonly ports = new Map<string, StreamPort>()
  private uplinks = new Map<string, StreamPort>()
  metadataLink: StreamPort | undefined
  private readonly metadataMac = virtualMac('metadata-link')
  private metadataPeerMac: number | undefined
  /** port id → its metadata alias address and host port; alias → port. */
  private metaByPort = new Map<string, { alias: number; hostPort: number; guestIp: number; gwMac: number }>()
  private metaByAlias = new Map<number, string>()
  private nextAlias = 1
  private readonly dirty = new Set<FrameOutput>()
  private now = Date.now()
  readonly counters: SwitchCounters = { forwarded: 0, dropped: {} }
  /** The host port of the per-port metadata listener (set by the driver). */
  metadataPortOf: (portId: string) => number | undefined = () => undefined
  /** Lets tests and logs see why frames were dropped. */
  onDrop: ((reason: string, port: string) => void) | undefined

  // ---------------------------------------------------------------------------------------------- configuration

  apply(t: Topology): void {
    const nets = new Map<string, Net>()
    for (const n of t.networks) {
      const net = this.nets.get(n.id) ?? new Net(n.id)
      net.macs.clear()
      net.streams.clear()
      net.neighbors.clear()
      net.owners.clear()
      net.mtu = n.mtu || 1500
      net.external = n.external
      net.up = n.admin_state_up
      net.subnets = n.subnets
        .filter((s) => s.ip_version === 4 && parseCidr(s.cidr))
        .map((s) => ({
          id: s.id,
          cidr: parseCidr(s.cidr)!,
          gateway: s.gateway_ip ? ipToNumber(s.gateway_ip) : null,
          dhcp: s.enable_dhcp,
          dns: s.dns_nameservers.map(ipToNumber).filter((x) => !Number.isNaN(x)),
          hostRoutes: s.host_routes.flatMap((r) => (parseCidr(r.destination) ? [{ dest: parseCidr(r.destination)!, via: ipToNumber(r.nexthop) }] : [])),
        }))
      net.service = new ServiceEndpoint(net, virtualMac(`service-${n.id}`))
      net.macs.set(net.service.mac, net.service)
      nets.set(n.id, net)
    }
    this.nets = nets

    // Security groups: member addresses, then each port's compiled rules.
    const groupIps = new Map<string, Set<number>>()
    for (const p of t.ports) {
      for (const g of p.security_groups) {
        const set = groupIps.get(g) ?? new Set<number>()
        for (const f of p.fixed_ips) if (!f.ip_address.includes(':')) set.add(ipToNumber(f.ip_address))
        groupIps.set(g, set)
      }
    }
    const groups = new Map(t.security_groups.map((g) => [g.id, g]))

    const byId = new Map(t.ports.map((p) => [p.id, p]))
    for (const p of t.ports) {
      const net = nets.get(p.network_id)
      if (!net) continue
      const mac = macToNumber(p.mac_address)
      for (const f of p.fixed_ips) if (!f.ip_address.includes(':')) net.neighbors.set(ipToNumber(f.ip_address), mac)
      if (!p.device_owner.startsWith('compute:')) continue
      const sp = this.ports.get(p.id) ?? new StreamPort(p.id, 'vm')
      this.ports.set(p.id, sp)
      sp.spec = p
      sp.net = net
      sp.up = p.admin_state_up
      sp.security = p.port_security_enabled
      sp.macs = new Set([mac, ...p.allowed_address_pairs.map((a) => (a.mac_address ? macToNumber(a.mac_address) : mac))])
      sp.ips = new Set(p.fixed_ips.filter((f) => !f.ip_address.includes(':')).map((f) => ipToNumber(f.ip_address)))
      sp.ipNets = p.allowed_address_pairs.flatMap((a) => (a.ip_address.includes(':') ? [] : [parseCidr(a.ip_address.includes('/') ? a.ip_address : `${a.ip_address}/32`)!].filter(Boolean)))
      const rules = p.security_groups.flatMap((g) => groups.get(g)?.rules ?? [])
      // Compiled again only when the rules or the members of a group they name changed (then tracked connections
      // are dropped too: one a changed rule no longer allows must not live on).
      const remoteGroups = [...new Set(rules.flatMap((r) => (r.remote_group_id ? [r.remote_group_id] : [])))].sort()
      const sig = JSON.stringify([rules, remoteGroups.map((g) => [...(groupIps.get(g) ?? [])].sort())])
      if (sig !== sp.ruleSig) {
        const get = (id: string) => groupIps.get(id) ?? new Set<number>()
        sp.firewall.ingress = compileRules(rules, 'ingress', get)
        sp.firewall.egress = compileRules(rules, 'egress', get)
        if (sp.ruleSig) sp.firewall.reset()
        sp.ruleSig = sig
      }
      net.macs.set(mac, sp)
      for (const m of sp.macs) net.macs.set(m, sp)
      net.streams.add(sp)
    }
    // Ports gone from the topology: forget them (their sockets are closed by the driver).
    for (const [id, sp] of this.ports) {
      if (byId.get(id)?.device_owner.startsWith('compute:')) continue
      this.ports.delete(id)
      sp.net = undefined
    }

    // Uplinks stay attached to their external networks.
    for (const [netId, up] of this.uplinks) {
      const net = nets.get(netId)
      up.net = net
      if (net) net.streams.add(up)
    }

    // Routers.
    const routers = new Map<string, RouterState>()
    for (const r of t.routers) {
      const st = this.routers.get(r.id) ?? new RouterState(r.id)
      st.up = r.admin_state_up
      st.snat = r.enable_snat
      st.ifaces = []
      st.gw = undefined
      const leg = (portId: string, gateway: boolean) => {
        const p = byId.get(portId)
        const net = p && nets.get(p.network_id)
        if (!p || !net) return
        const mac = macToNumber(p.mac_address)
        for (const f of p.fixed_ips) {
          if (f.ip_address.includes(':')) continue
          const ip = ipToNumber(f.ip_address)
          const iface = new RouterIface(st, net, net.subnets.find((s) => s.id === f.subnet_id), ip, mac, gateway)
          st.ifaces.push(iface)
          if (gateway && !st.gw) st.gw = iface
          net.owners.set(ip, iface)
          net.macs.set(mac, iface)
        }
      }
      for (const id of r.interface_port_ids) leg(id, false)
      if (r.gateway_port_id) leg(r.gateway_port_id, true)
      st.routes = r.routes.flatMap((x) => (parseCidr(x.destination) ? [{ dest: parseCidr(x.destination)!, via: ipToNumber(x.nexthop) }] : []))
      st.fipToFixed = new Map()
      st.fixedToFip = new Map()
      st.pfIn = new Map()
      st.pfOut = new Map()
      routers.set(r.id, st)
    }
    this.routers = routers
    for (const f of t.floating_ips) {
      const st = f.router_id ? routers.get(f.router_id) : undefined
      if (!st?.gw) continue
      const fip = ipToNumber(f.floating_ip_address)
      // The router answers ARP for its floating IPs on the external network.
      st.gw.net.owners.set(fip, st.gw)
      if (f.port_id && f.fixed_ip_address) {
        const fixed = ipToNumber(f.fixed_ip_address)
        st.fipToFixed.set(fip, fixed)
        st.fixedToFip.set(fixed, fip)
      }
      for (const pf of f.port_forwardings) {
        const proto = pf.protocol === 'udp' ? IPPROTO_UDP : IPPROTO_TCP
        const inside = ipToNumber(pf.internal_ip_address)
        st.pfIn.set(`${proto}|${fip}|${pf.external_port}`, { ip: inside, port: pf.internal_port })
        st.pfOut.set(`${proto}|${inside}|${pf.internal_port}`, { ip: fip, port: pf.external_port })
      }
    }
    // Subnet gateways no router holds are answered by the network's service endpoint (on an external network the
    // gateway is the computer, behind the uplink).
    for (const net of nets.values()) {
      if (net.external) continue
      for (const s of net.subnets) if (s.gateway !== null && !net.owners.has(s.gateway)) net.owners.set(s.gateway, net.service)
    }
  }

  /** Attaches a connected socket as the peer of a port (guest NIC, uplink or metadata link). */
  attach(sp: StreamPort, socket: Socket, onBroken: (why: string) => void): void {
    sp.out = new FrameOutput(socket)
    sp.reader = new FrameReader(
      (buf, off, len) => this.fromStream(sp, buf, off, len),
      (why) => {
        onBroken(why)
        socket.destroy()
      },
    )
    socket.on('data', (chunk: Buffer) => {
      this.now = Date.now()
      sp.reader?.push(chunk)
      const full = this.flush()
      // Backpressure: stop reading this peer while a peer it sends to is congested (see FrameOutput).
      if (full && !socket.isPaused()) {
        socket.pause()
        full.onDrained(() => {
          if (!socket.destroyed) socket.resume()
        })
      }
    })
  }

  detach(sp: StreamPort): void {
    sp.out = undefined
    sp.reader = undefined
  }

  /** Registers a host uplink (slirp) as the way out of an external network. */
  addUplink(netId: string): StreamPort {
    const sp = new StreamPort(`uplink-${netId}`, 'uplink')
    this.uplinks.set(netId, sp)
    const net = this.nets.get(netId)
    sp.net = net
    if (net) net.streams.add(sp)
    return sp
  }

  removeUplink(netId: string): void {
    const sp = this.uplinks.get(netId)
    if (!sp) return
    this.uplinks.delete(netId)
    sp.net?.streams.delete(sp)
    sp.net = undefined
  }

  uplinkOf(netId: string): StreamPort | undefined {
    return this.uplinks.get(netId)
  }

  addMetadataLink(): StreamPort {
    this.metadataLink = new StreamPort('metadata', 'metadata')
    return this.metadataLink
  }

  /** Announces an alias to the metadata uplink so that slirp knows where to send answers before it is asked. */
  primeMetadata(): void {
    const link = this.metadataLink
    if (!link?.out) return
    this.queue(link, buildArp(1, BROADCAST_MAC, this.metadataMac, METADATA_ALIAS_BASE, 0, METADATA_IP))
    this.flush()
  }

  // ---------------------------------------------------------------------------------------------- data path

  private drop(reason: string, port: string): void {
    this.counters.dropped[reason] = (this.counters.dropped[reason] ?? 0) + 1
    this.onDrop?.(reason, port)
  }

  private queue(to: StreamPort, frame: Buffer, rec?: Buffer): void {
    if (!to.out) return
    if (to.out.queue(rec ?? record(frame))) {
      this.dirty.add(to.out)
      this.counters.forwarded++
    }
  }

  /** Writes what the last input chunk queued; returns an output that is now congested, if any. */
  flush(): FrameOutput | undefined {
    let full: FrameOutput | undefined
    for (const o of this.dirty) {
      o.flush()
      if (!full && o.congested) full = o
    }
    this.dirty.clear()
    return full
  }

  /** A frame from a socket peer. `buf[off-4, off+len)` is its original record. */
  fromStream(sp: StreamPort, buf: Buffer, off: number, len: number): void {
    const frame = buf.subarray(off, off + len)
    const rec = buf.subarray(off - 4, off + len)
    if (sp.role === 'metadata') return this.fromMetadataLink(frame)
    const net = sp.net
    if (!net || !net.up || !sp.up) return this.drop('port down', sp.id)
    const etype = frame.readUInt16BE(12)
    if (sp.role === 'uplink') {
      // slirp's own DHCP server must not answer anyone.
      if (etype === ETH_P_IP) {
        const p = ipv4(frame)
        if (p && p.proto === IPPROTO_UDP && frame.readUInt16BE(p.l4) === 67) return this.drop('uplink dhcp', sp.id)
      }
      const src = macAt(frame, 6)
      if (!net.macs.has(src)) net.macs.set(src, sp)
      return this.switchFrame(net, sp, frame, rec)
    }
    // A guest NIC: port security, DHCP, metadata, the firewall.
    const srcMac = macAt(frame, 6)
    if (sp.security && !sp.macs.has(srcMac)) return this.drop('spoofed mac', sp.id)
    if (etype === ETH_P_ARP) {
      const a = arp(frame)
      if (!a) return this.drop('bad arp', sp.id)
      if (sp.security && (a.senderMac !== srcMac || (a.senderIp !== 0 && !sp.ownsIp(a.senderIp)))) return this.drop('spoofed arp', sp.id)
      return this.switchFrame(net, sp, frame, rec)
    }
    if (etype !== ETH_P_IP) return this.drop(`ethertype ${etype.toString(16)}`, sp.id)
    const p = ipv4(frame)
    if (!p) return this.drop('bad ipv4', sp.id)
    if (p.proto === IPPROTO_UDP && frame.length >= p.l4 + 4) {
      const sport = frame.readUInt16BE(p.l4)
      const dport = frame.readUInt16BE(p.l4 + 2)
      if (dport === 67 && sport === 68) return this.dhcp(net, sp, frame, p.l4)
      if (sport === 67 && sp.security) return this.drop('dhcp server spoofing', sp.id)
    }
    if (sp.security) {
      if (!sp.ownsIp(p.src)) return this.drop('spoofed ip', sp.id)
      const l = l4Ports(frame, p)
      if (!sp.firewall.allow('egress', p.proto, p.src, l.sport, p.dst, l.dport, l.icmpType, l.icmpCode, this.now)) return this.drop('security group egress', sp.id)
    }
    if (p.dst === METADATA_IP && p.proto === IPPROTO_TCP) return this.toMetadata(sp, frame, p)
    this.switchFrame(net, sp, frame, rec)
  }

  /** L2: to the owner of the destination MAC, or to everyone (broadcast, unknown unicast). */
  private switchFrame(net: Net, from: Endpoint, frame: Buffer, rec: Buffer | undefined): void {
    const etype = frame.readUInt16BE(12)
    if (etype === ETH_P_ARP) {
      const a = arp(frame)
      if (a) {
        if (a.senderIp !== 0) net.neighbors.set(a.senderIp, a.senderMac)
        if (a.op === 2) for (const r of this.routers.values()) this.arpResolved(r, a.senderIp, a.senderMac)
        const owner = a.op === 1 ? net.owners.get(a.targetIp) : undefined
        if (owner && owner !== from) {
          // A virtual address: answered here, not flooded.
          const reply = buildArp(2, a.senderMac, owner.mac, a.targetIp, a.senderMac, a.senderIp)
          return this.deliver(net, from, reply)
        }
      }
    }
    if (isMulticast(frame)) {
      for (const s of net.streams) if (s !== from) this.toPort(s, frame, rec)
      return
    }
    const dst = net.macs.get(macAt(frame, 0))
    if (!dst) {
      for (const s of net.streams) if (s !== from) this.toPort(s, frame, rec)
      return
    }
    if (dst === from) return
    if (dst.kind === 'stream') return this.toPort(dst, frame, rec)
    if (dst.kind === 'router') return this.toRouter(dst, frame)
    return this.toService(dst, frame)
  }

  /** A frame a virtual endpoint sends on `net`, addressed to whoever `from` is not. */
  private deliver(net: Net, from: Endpoint, frame: Buffer): void {
    if (from.kind === 'stream') return this.toPort(from, frame)
    this.switchFrame(net, from, frame, undefined)
  }

  /** To a socket peer, through its ingress firewall. */
  private toPort(sp: StreamPort, frame: Buffer, rec?: Buffer): void {
    if (!sp.out) return
    if (sp.role === 'vm' && sp.security && frame.readUInt16BE(12) === ETH_P_IP) {
      const p = ipv4(frame)
      if (!p) return
      const l = l4Ports(frame, p)
      if (!sp.firewall.allow('ingress', p.proto, p.dst, l.dport, p.src, l.sport, l.icmpType, l.icmpCode, this.now)) return this.drop('security group ingress', sp.id)
    }
    if (sp.role === 'uplink' && frame.readUInt16BE(12) === ETH_P_IP) {
      const p = ipv4(frame)
      if (p && p.proto === IPPROTO_UDP && frame.readUInt16BE(p.l4 + 2) === 67) return this.drop('dhcp to uplink', sp.id)
    }
    this.queue(sp, frame, rec)
  }

  // ---------------------------------------------------------------------------------------------- DHCP, gateway

  private lease(net: Net, port: StreamPort): DhcpLease | undefined {
    const spec = port.spec
    if (!spec) return undefined
    for (const f of spec.fixed_ips) {
      if (f.ip_address.includes(':')) continue
      const s = net.subnets.find((x) => x.id === f.subnet_id)
      if (!s || !s.dhcp) continue
      const ip = ipToNumber(f.ip_address)
      const routes = [...s.hostRoutes]
      if (s.gateway !== null) routes.push({ dest: parseCidr('169.254.169.254/32')!, via: s.gateway }, { dest: parseCidr('0.0.0.0/0')!, via: s.gateway })
      return {
        ip,
        prefix: s.cidr.prefix,
        router: s.gateway,
        dns: s.dns,
        mtu: net.mtu,
        hostname: spec.hostname,
        domain: 'openstacklocal',
        routes,
        server: s.gateway ?? ((s.cidr.base + 1) >>> 0),
        leaseSeconds: 86400,
      }
    }
    return undefined
  }

  private dhcp(net: Net, sp: StreamPort, frame: Buffer, l4: number): void {
    const reply = answerDhcp(frame, l4, this.lease(net, sp), net.service.mac)
    // The answer goes straight to the port that asked (not through its firewall, like Neutron's DHCP rules).
    if (reply) this.queue(sp, reply)
    else this.drop('dhcp unanswered', sp.id)
  }

  private toService(svc: ServiceEndpoint, frame: Buffer): void {
    const p = ipv4(frame)
    if (!p) return
    if (p.proto === IPPROTO_ICMP && frame[p.l4] === 8 && svc.net.owners.get(p.dst) === svc) return this.deliver(svc.net, svc, buildEchoReply(frame, p, svc.mac))
    // A guest that learnt the gateway's MAC before a router took the gateway address still sends to the old MAC:
    // hand its packets to the router that now holds the gateway (until its ARP entry times out).
    for (const s of svc.net.subnets) {
      if (s.gateway === null || !inCidr(p.src, s.cidr)) continue
      const owner = svc.net.owners.get(s.gateway)
      if (owner && owner.kind === 'router') return this.toRouter(owner, frame)
    }
  }

  // ---------------------------------------------------------------------------------------------- routers

  private toRouter(iface: RouterIface, frame0: Buffer): void {
    const r = iface.router
    if (!r.up) return
    const p0 = ipv4(frame0)
    if (!p0) return
    // A ping of one of the router's own addresses is answered from the leg it came in on.
    if (p0.proto === IPPROTO_ICMP && frame0[p0.l4] === 8 && r.ifaces.some((i) => i.ip === p0.dst) && !r.fipToFixed.has(p0.dst)) {
      return this.deliver(iface.net, iface, buildEchoReply(frame0, p0, iface.mac))
    }
    const frame = Buffer.from(frame0) // the input chunk is shared with other outputs: work on a copy
    let p = p0
    // Inbound from the external network: floating IPs, port forwardings, SNAT replies.
    if (iface.gateway) {
      const l = l4Ports(frame, p)
      const fixed = r.fipToFixed.get(p.dst)
      const pf = r.pfIn.get(`${p.proto}|${p.dst}|${l.dport}`)
      if (fixed !== undefined) rewriteIp(frame, 'dst', fixed)
      else if (pf) {
        rewriteIp(frame, 'dst', pf.ip)
        rewritePort(frame, 'dst', pf.port)
      } else if (p.dst === iface.ip) {
        const e = r.natIn.get(this.natInKey(frame, p)!)
        if (!e || e.expires < this.now) return this.drop('no nat entry', r.id)
        e.expires = this.now + 600_000
        rewriteIp(frame, 'dst', e.inside)
        if (l.dport !== -1) rewritePort(frame, 'dst', e.insidePort)
      } else return this.drop('not for this router', r.id)
      p = ipv4(frame)!
    } else {
      // Hairpin: an inside guest reaching a floating IP of this same router.
      const fixed = r.fipToFixed.get(p.dst)
      if (fixed !== undefined) rewriteIp(frame, 'dst', fixed), (p = ipv4(frame)!)
    }
    this.route(r, frame, p, iface)
  }

  private natInKey(frame: Buffer, p: { l3: number; l4: number; proto: number; src: number }): string | undefined {
    const l = l4Ports(frame, p)
    if (l.dport === -1) return undefined
    return `${p.proto}|${l.dport}|${p.src}|${p.proto === IPPROTO_ICMP ? -1 : l.sport}`
  }

  /** Routes a packet the router received on `inIface` (already DNATed). */
  private route(r: RouterState, frame: Buffer, p: { l3: number; l4: number; proto: number; src: number; dst: number }, inIface: RouterIface): void {
    // TTL
    const ttl = frame[p.l3 + 8]!
    if (ttl <= 1) return this.drop('ttl', r.id)
    const old = frame.readUInt16BE(p.l3 + 8)
    frame[p.l3 + 8] = ttl - 1
    adjustChecksum16(frame, p.l3 + 10, old, frame.readUInt16BE(p.l3 + 8))

    let out = r.ifaces.find((i) => i.subnet && inCidr(p.dst, i.subnet.cidr))
    let nexthop = p.dst
    if (!out) {
      const route = r.routes.find((x) => inCidr(p.dst, x.dest))
      if (route) {
        out = r.ifaces.find((i) => i.subnet && inCidr(route.via, i.subnet.cidr))
        nexthop = route.via
      }
    }
    if (!out && r.gw) {
      out = r.gw
      nexthop = r.gw.subnet?.gateway ?? p.dst
    }
    if (!out) return this.drop('no route', r.id)
    if (out.gateway && !inIface.gateway) {
      // Leaving through the gateway: floating IP (1:1), port forwarding, or SNAT to the gateway address.
      const l = l4Ports(frame, p)
      const fip = r.fixedToFip.get(p.src)
      const pf = r.pfOut.get(`${p.proto}|${p.src}|${l.sport}`)
      if (fip !== undefined) rewriteIp(frame, 'src', fip)
      else if (pf) {
        rewriteIp(frame, 'src', pf.ip)
        rewritePort(frame, 'src', pf.port)
      } else if (r.snat) {
        if (l.sport === -1 && p.proto !== IPPROTO_ICMP) return this.drop('snat: no ports', r.id)
        const e = this.natFor(r, p, l.sport, l.dport)
        if (!e) return this.drop('snat: no free port', r.id)
        rewriteIp(frame, 'src', out.ip)
        if (l.sport !== -1) rewritePort(frame, 'src', e.extPort)
      }
    }
    this.sendFromRouter(r, out, nexthop, frame)
  }

  private natFor(r: RouterState, p: { proto: number; src: number; dst: number }, sport: number, dport: number): NatEntry | undefined {
    const rport = p.proto === IPPROTO_ICMP ? -1 : dport
    const key = `${p.proto}|${p.src}|${sport}|${p.dst}|${rport}`
    let e = r.natOut.get(key)
    if (e && e.expires > this.now) {
      e.expires = this.now + 600_000
      return e
    }
    for (let tries = 0; tries < 40000; tries++) {
      const ext = r.nextPort
      r.nextPort = r.nextPort >= 60000 ? 20000 : r.nextPort + 1
      const inKey = `${p.proto}|${ext}|${p.dst}|${rport}`
      const cur = r.natIn.get(inKey)
      if (cur && cur.expires > this.now) continue
      e = { inside: p.src, insidePort: sport, extPort: ext, expires: this.now + 600_000 }
      r.natOut.set(key, e)
      r.natIn.set(inKey, e)
      if (r.natOut.size > 50_000) this.sweepNat(r)
      return e
    }
    return undefined
  }

  private sweepNat(r: RouterState): void {
    for (const [k, e] of r.natOut) if (e.expires < this.now) r.natOut.delete(k)
    for (const [k, e] of r.natIn) if (e.expires < this.now) r.natIn.delete(k)
  }

  private sendFromRouter(r: RouterState, out: RouterIface, nexthop: number, frame: Buffer): void {
    writeMac(frame, 6, out.mac)
    const mac = out.net.neighbors.get(nexthop)
    if (mac !== undefined) {
      writeMac(frame, 0, mac)
      return this.switchFrame(out.net, out, frame, undefined)
    }
    // Ask, and hold the packet (a few per next hop) until the answer.
    const key = `${out.net.id}|${nexthop}`
    const w = r.waiting.get(key)
    if (w && this.now - w.since < 3000) {
      if (w.frames.length < 16) w.frames.push(frame)
      return
    }
    r.waiting.set(key, { frames: [frame], since: this.now })
    this.switchFrame(out.net, out, buildArp(1, BROADCAST_MAC, out.mac, out.ip, 0, nexthop), undefined)
  }

  private arpResolved(r: RouterState, ip: number, mac: number): void {
    for (const [key, w] of r.waiting) {
      const [netId, hop] = key.split('|')
      if (Number(hop) !== ip) continue
      r.waiting.delete(key)
      const net = this.nets.get(netId!)
      const out = r.ifaces.find((i) => i.net === net)
      if (!net || !out) continue
      for (const f of w.frames) {
        writeMac(f, 0, mac)
        this.switchFrame(net, out, f, undefined)
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- metadata

  /** TCP to 169.254.169.254: port 80 goes to this port's own listener behind the metadata uplink, the rest nowhere. */
  private toMetadata(sp: StreamPort, frame0: Buffer, p: { l4: number; src: number }): void {
    const link = this.metadataLink
    const dport = frame0.readUInt16BE(p.l4 + 2)
    const hostPort = this.metadataPortOf(sp.id)
    if (dport !== 80 || !link?.out || hostPort === undefined || this.metadataPeerMac === undefined) {
      if (this.metadataPeerMac === undefined) this.primeMetadata()
      return this.drop('metadata unavailable', sp.id)
    }
    let m = this.metaByPort.get(sp.id)
    if (!m || m.hostPort !== hostPort) {
      const alias = m?.alias ?? (METADATA_ALIAS_BASE + this.nextAlias++) >>> 0
      m = { alias, hostPort, guestIp: p.src, gwMac: macAt(frame0, 0) }
      this.metaByPort.set(sp.id, m)
      this.metaByAlias.set(alias, sp.id)
    }
    m.guestIp = p.src
    m.gwMac = macAt(frame0, 0)
    const frame = Buffer.from(frame0)
    rewriteIp(frame, 'src', m.alias)
    rewritePort(frame, 'dst', hostPort)
    writeMac(frame, 0, this.metadataPeerMac)
    writeMac(frame, 6, this.metadataMac)
    this.queue(link, frame)
  }

  private fromMetadataLink(frame: Buffer): void {
    const etype = frame.readUInt16BE(12)
    if (etype === ETH_P_ARP) {
      const a = arp(frame)
      if (!a) return
      this.metadataPeerMac = a.senderMac
      if (a.op === 1 && this.metaByAlias.has(a.targetIp)) {
        this.queue(this.metadataLink!, buildArp(2, a.senderMac, this.metadataMac, a.targetIp, a.senderMac, a.senderIp))
      }
      return
    }
    const p = ipv4(frame)
    if (!p || p.proto !== IPPROTO_TCP || p.src !== METADATA_IP) return
    const portId = this.metaByAlias.get(p.dst)
    const sp = portId ? this.ports.get(portId) : undefined
    const m = portId ? this.metaByPort.get(portId) : undefined
    if (!sp || !m || !sp.net) return
    const f = Buffer.from(frame)
    rewriteIp(f, 'dst', m.guestIp)
    rewritePort(f, 'src', 80)
    writeMac(f, 0, macToNumber(sp.spec!.mac_address))
    writeMac(f, 6, m.gwMac)
    this.toPort(sp, f)
  }
}

