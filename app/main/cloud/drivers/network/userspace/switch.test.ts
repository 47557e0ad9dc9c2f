import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Socket } from 'node:net'
import type { Topology, TopologyPort, TopologyRule } from '../network-driver'
import { FrameOutput, record } from './frames'
import {
  arp,
  buildArp,
  buildIpv4,
  buildUdp,
  BROADCAST_MAC,
  checksum,
  finishChecksum,
  ipToNumber,
  ipv4,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  l4Ports,
  macAt,
  macToNumber,
} from './packet'
import { VirtualSwitch, type StreamPort } from './switch'

/** A socket stand-in that keeps what the switch writes, as frames. */
function sink(): { socket: Socket; frames: Buffer[] } {
  const frames: Buffer[] = []
  const socket = {
    destroyed: false,
    writableLength: 0,
    cork() {},
    uncork() {},
    write(b: Buffer) {
      frames.push(Buffer.from(b.subarray(4)))
      return true
    },
  } as unknown as Socket
  return { socket, frames }
}

function send(sw: VirtualSwitch, sp: StreamPort, frame: Buffer): void {
  const rec = record(frame)
  sw.fromStream(sp, rec, 4, frame.length)
  sw.flush()
}

function tcp(srcMac: string, dstMac: string, src: string, dst: string, sport: number, dport: number, flags = 0x02): Buffer {
  const seg = Buffer.alloc(20)
  seg.writeUInt16BE(sport, 0)
  seg.writeUInt16BE(dport, 2)
  seg[12] = 0x50
  seg[13] = flags
  const f = buildIpv4(macToNumber(dstMac), macToNumber(srcMac), ipToNumber(src), ipToNumber(dst), IPPROTO_TCP, seg)
  const pseudo = Buffer.alloc(12)
  pseudo.writeUInt32BE(ipToNumber(src), 0)
  pseudo.writeUInt32BE(ipToNumber(dst), 4)
  pseudo[9] = IPPROTO_TCP
  pseudo.writeUInt16BE(20, 10)
  f.writeUInt16BE(finishChecksum(checksum(f, 34, f.length, checksum(pseudo, 0, 12))), 50)
  return f
}

function ping(srcMac: string, dstMac: string, src: string, dst: string, id = 7): Buffer {
  const icmp = Buffer.alloc(16)
  icmp[0] = 8
  icmp.writeUInt16BE(id, 4)
  icmp.writeUInt16BE(finishChecksum(checksum(icmp, 0, 16)), 2)
  return buildIpv4(macToNumber(dstMac), macToNumber(srcMac), ipToNumber(src), ipToNumber(dst), IPPROTO_ICMP, icmp)
}

function tcpChecksumOk(f: Buffer): boolean {
  const p = ipv4(f)!
  const len = p.total - (p.l4 - p.l3)
  const pseudo = Buffer.alloc(12)
  pseudo.writeUInt32BE(p.src, 0)
  pseudo.writeUInt32BE(p.dst, 4)
  pseudo[9] = p.proto
  pseudo.writeUInt16BE(len, 10)
  return finishChecksum(checksum(f, p.l4, p.l4 + len, checksum(pseudo, 0, 12))) === 0
}

const DEFAULT_RULES = (sg: string): TopologyRule[] => [
  { id: 'e4', direction: 'egress', ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null },
  { id: 'i4', direction: 'ingress', ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: sg },
]

function port(id: string, net: string, mac: string, ip: string, subnet: string, extra: Partial<TopologyPort> = {}): TopologyPort {
  return {
    id, network_id: net, mac_address: mac, fixed_ips: [{ subnet_id: subnet, ip_address: ip }], device_owner: 'compute:nova', device_id: `vm-${id}`,
    admin_state_up: true, port_security_enabled: true, allowed_address_pairs: [], security_groups: ['sg-default'], hostname: `host-${ip.replace(/\./g, '-')}`, ...extra,
  }
}

const MAC = { a: 'fa:16:3e:00:00:0a', b: 'fa:16:3e:00:00:0b', c: 'fa:16:3e:00:00:0c', r1: 'fa:16:3e:00:01:01', r2: 'fa:16:3e:00:01:02', rg: 'fa:16:3e:00:01:0f', slirp: '52:55:ac:18:04:01' }

function topology(over: Partial<Topology> = {}): Topology {
  return {
    networks: [
      { id: 'net1', name: 'private', mtu: 1500, external: false, admin_state_up: true, subnets: [{ id: 's1', network_id: 'net1', cidr: '10.0.0.0/26', ip_version: 4, gateway_ip: '10.0.0.1', enable_dhcp: true, dns_nameservers: [], host_routes: [], allocation_pools: [] }] },
      { id: 'net2', name: 'second', mtu: 1500, external: false, admin_state_up: true, subnets: [{ id: 's2', network_id: 'net2', cidr: '10.1.0.0/24', ip_version: 4, gateway_ip: '10.1.0.1', enable_dhcp: true, dns_nameservers: ['10.1.0.53'], host_routes: [], allocation_pools: [] }] },
      { id: 'pub', name: 'public', mtu: 1500, external: true, admin_state_up: true, subnets: [{ id: 'sp', network_id: 'pub', cidr: '172.24.4.0/24', ip_version: 4, gateway_ip: '172.24.4.1', enable_dhcp: false, dns_nameservers: [], host_routes: [], allocation_pools: [] }] },
    ],
    ports: [
      port('pa', 'net1', MAC.a, '10.0.0.10', 's1'),
      port('pb', 'net1', MAC.b, '10.0.0.11', 's1'),
      port('pc', 'net2', MAC.c, '10.1.0.10', 's2'),
      port('ri1', 'net1', MAC.r1, '10.0.0.1', 's1', { device_owner: 'network:router_interface', device_id: 'r1', security_groups: [] }),
      port('rgw', 'pub', MAC.rg, '172.24.4.20', 'sp', { device_owner: 'network:router_gateway', device_id: 'r1', security_groups: [] }),
    ],
    security_groups: [{ id: 'sg-default', rules: DEFAULT_RULES('sg-default') }, { id: 'sg-other', rules: DEFAULT_RULES('sg-other') }],
    routers: [{ id: 'r1', admin_state_up: true, gateway_port_id: 'rgw', enable_snat: true, interface_port_ids: ['ri1'], routes: [] }],
    floating_ips: [],
    ...over,
  }
}

function wire(sw: VirtualSwitch, ids: string[]): Record<string, Buffer[]> {
  const out: Record<string, Buffer[]> = {}
  for (const id of ids) {
    const sp = sw.ports.get(id)!
    const s = sink()
    sp.out = new FrameOutput(s.socket)
    out[id] = s.frames
  }
  return out
}

describe('VirtualSwitch', () => {
  it('answers DHCP from the port record: address, mask, router, hostname, MTU and the metadata route', () => {
    const sw = new VirtualSwitch()
    sw.apply(topology())
    const out = wire(sw, ['pa', 'pb'])
    const body = Buffer.alloc(244)
    body[0] = 1
    body[1] = 1
    body[2] = 6
    body.writeUInt32BE(0x1234, 4)
    Buffer.from(MAC.a.replace(/:/g, ''), 'hex').copy(body, 28)
    body.writeUInt32BE(0x63825363, 236)
    Buffer.from([53, 1, 1, 255]).copy(body, 240)
    send(sw, sw.ports.get('pa')!, buildUdp(BROADCAST_MAC, macToNumber(MAC.a), 0, 0xffffffff, 68, 67, body))
    assert.equal(out.pa!.length, 1)
    assert.equal(out.pb!.length, 0, 'DHCP is answered, not flooded')
    const r = out.pa![0]!
    const d = r.subarray(42)
    assert.equal(d.readUInt32BE(16), ipToNumber('10.0.0.10'))
    const opts = new Map<number, Buffer>()
    for (let i = 240; d[i] !== 255; i += 2 + d[i + 1]!) opts.set(d[i]!, d.subarray(i + 2, i + 2 + d[i + 1]!))
    assert.equal(opts.get(53)![0], 2)
    assert.equal(opts.get(1)!.readUInt32BE(0), 0xffffffc0)
    assert.equal(opts.get(3)!.readUInt32BE(0), ipToNumber('10.0.0.1'))
    assert.equal(opts.get(12)!.toString(), 'host-10-0-0-10')
    assert.equal(opts.get(26)!.readUInt16BE(0), 1500)
    // 169.254.169.254/32 via 10.0.0.1, then 0.0.0.0/0 via 10.0.0.1
    assert.deepEqual([...opts.get(121)!], [32, 169, 254, 169, 254, 10, 0, 0, 1, 0, 10, 0, 0, 1])
  })

  it('answers ARP and ping for the gateway (router interface) and forwards between ports of one group', () => {
    const sw = new VirtualSwitch()
    sw.apply(topology())
    const out = wire(sw, ['pa', 'pb'])
    send(sw, sw.ports.get('pa')!, buildArp(1, BROADCAST_MAC, macToNumber(MAC.a), ipToNumber('10.0.0.10'), 0, ipToNumber('10.0.0.1')))
    const a = arp(out.pa!.pop()!)!
    assert.equal(a.op, 2)
    assert.equal(a.senderMac, macToNumber(MAC.r1))
    send(sw, sw.ports.get('pa')!, ping(MAC.a, MAC.r1, '10.0.0.10', '10.0.0.1'))
    const echo = out.pa!.pop()!
    assert.equal(echo[34], 0, 'echo reply')
    send(sw, sw.ports.get('pa')!, tcp(MAC.a, MAC.b, '10.0.0.10', '10.0.0.11', 40000, 80))
    assert.equal(out.pb!.length, 1)
  })

  it('drops spoofed sources, and enforces security groups statefully', () => {
    const t = topology()
    t.ports.find((p) => p.id === 'pb')!.security_groups = ['sg-other']
    const sw = new VirtualSwitch()
    sw.apply(t)
    const out = wire(sw, ['pa', 'pb'])
    send(sw, sw.ports.get('pa')!, tcp(MAC.a, MAC.b, '10.0.0.99', '10.0.0.11', 40000, 80))
    assert.equal(out.pb!.length, 0, 'spoofed IP dropped')
    send(sw, sw.ports.get('pa')!, tcp(MAC.c, MAC.b, '10.0.0.10', '10.0.0.11', 40000, 80))
    assert.equal(out.pb!.length, 0, 'spoofed MAC dropped')
    send(sw, sw.ports.get('pa')!, tcp(MAC.a, MAC.b, '10.0.0.10', '10.0.0.11', 40000, 80))
    assert.equal(out.pb!.length, 0, 'another group: no ingress to port 80')
    // b (egress allowed) talks to a? a's ingress only allows its own group: dropped too; but b's reply traffic to a's
    // request would pass. Open port 80 on sg-other to a's group:
    t.security_groups.find((g) => g.id === 'sg-other')!.rules.push({ id: 'http', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_ip_prefix: '10.0.0.0/24', remote_group_id: null })
    sw.apply(t)
    send(sw, sw.ports.get('pa')!, tcp(MAC.a, MAC.b, '10.0.0.10', '10.0.0.11', 40001, 80))
    assert.equal(out.pb!.length, 1, 'allowed by the new rule')
    send(sw, sw.ports.get('pb')!, tcp(MAC.b, MAC.a, '10.0.0.11', '10.0.0.10', 80, 40001, 0x12))
    assert.equal(out.pa!.length, 1, 'the reply passes a\'s ingress (tracked by a\'s egress)')
    send(sw, sw.ports.get('pa')!, tcp(MAC.a, MAC.b, '10.0.0.10', '10.0.0.11', 40002, 22))
    assert.equal(out.pb!.length, 1, 'port 22 stays closed')
    t.security_groups.find((g) => g.id === 'sg-other')!.rules.pop()
    sw.apply(t)
    send(sw, sw.ports.get('pa')!, tcp(MAC.a, MAC.b, '10.0.0.10', '10.0.0.11', 40001, 80, 0x10))
    assert.equal(out.pb!.length, 1, 'the removed rule closes the open connection too')
  })

  it('routes between two networks of one router, with TTL and MACs rewritten', () => {
    const t = topology()
    t.ports.push(port('ri2', 'net2', MAC.r2, '10.1.0.1', 's2', { device_owner: 'network:router_interface', device_id: 'r1', security_groups: [] }))
    t.routers[0]!.interface_port_ids.push('ri2')
    const sw = new VirtualSwitch()
    sw.apply(t)
    const out = wire(sw, ['pa', 'pc'])
    send(sw, sw.ports.get('pa')!, ping(MAC.a, MAC.r1, '10.0.0.10', '10.1.0.10'))
    assert.equal(out.pc!.length, 1)
    const f = out.pc![0]!
    assert.equal(macAt(f, 0), macToNumber(MAC.c))
    assert.equal(macAt(f, 6), macToNumber(MAC.r2))
    assert.equal(f[22], 63)
    assert.equal(finishChecksum(checksum(f, 14, 34)), 0, 'IP checksum still right')
    // Without the second interface the network is unreachable except through the gateway (to the uplink).
    const sw2 = new VirtualSwitch()
    sw2.apply(topology())
    const out2 = wire(sw2, ['pa', 'pc'])
    send(sw2, sw2.ports.get('pa')!, ping(MAC.a, MAC.r1, '10.0.0.10', '10.1.0.10'))
    assert.equal(out2.pc!.length, 0)
  })

  it('SNATs to the gateway address toward the uplink and maps replies back; floating IPs are 1:1', () => {
    const t = topology()
    const sw = new VirtualSwitch()
    sw.apply(t)
    const out = wire(sw, ['pa', 'pb'])
    const up = sw.addUplink('pub')
    const us = sink()
    up.out = new FrameOutput(us.socket)
    // slirp announces itself (the router learns its MAC from the ARP it asks for).
    send(sw, sw.ports.get('pa')!, tcp(MAC.a, MAC.r1, '10.0.0.10', '172.24.4.1', 41000, 8080))
    const who = arp(us.frames.shift()!)!
    assert.equal(who.targetIp, ipToNumber('172.24.4.1'))
    send(sw, up, buildArp(2, macToNumber(MAC.rg), macToNumber(MAC.slirp), ipToNumber('172.24.4.1'), macToNumber(MAC.rg), ipToNumber('172.24.4.20')))
    const syn = us.frames.shift()!
    const p = ipv4(syn)!
    assert.equal(p.src, ipToNumber('172.24.4.20'))
    assert.equal(macAt(syn, 0), macToNumber(MAC.slirp))
    assert.ok(tcpChecksumOk(syn), 'TCP checksum fixed after SNAT')
    const ext = l4Ports(syn, p).sport
    send(sw, up, tcp(MAC.slirp, MAC.rg, '172.24.4.1', '172.24.4.20', 8080, ext, 0x12))
    const back = out.pa!.pop()!
    const q = ipv4(back)!
    assert.equal(q.dst, ipToNumber('10.0.0.10'))
    assert.equal(l4Ports(back, q).dport, 41000)
    assert.ok(tcpChecksumOk(back))
    // A floating IP for b: the uplink's connection to it reaches b, b's answer leaves from the floating IP.
    t.floating_ips.push({ id: 'f1', floating_ip_address: '172.24.4.50', floating_network_id: 'pub', router_id: 'r1', port_id: 'pb', fixed_ip_address: '10.0.0.11', host_forwards: [], port_forwardings: [] })
    t.security_groups[0]!.rules.push({ id: 'ssh', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0', remote_group_id: null })
    sw.apply(t)
    send(sw, up, buildArp(1, BROADCAST_MAC, macToNumber(MAC.slirp), ipToNumber('172.24.4.1'), 0, ipToNumber('172.24.4.50')))
    assert.equal(arp(us.frames.pop()!)!.senderMac, macToNumber(MAC.rg), 'the router answers ARP for its floating IP')
    send(sw, up, tcp(MAC.slirp, MAC.rg, '172.24.4.1', '172.24.4.50', 50000, 22))
    const inb = out.pb!.pop()!
    assert.equal(ipv4(inb)!.dst, ipToNumber('10.0.0.11'))
    assert.ok(tcpChecksumOk(inb))
    send(sw, sw.ports.get('pb')!, tcp(MAC.b, MAC.r1, '10.0.0.11', '172.24.4.1', 22, 50000, 0x12))
    const outb = us.frames.pop()!
    assert.equal(ipv4(outb)!.src, ipToNumber('172.24.4.50'))
  })

  it('never lets a guest serve DHCP, nor slirp\'s DHCP reach a guest', () => {
    const sw = new VirtualSwitch()
    sw.apply(topology())
    const out = wire(sw, ['pa', 'pb'])
    send(sw, sw.ports.get('pa')!, buildUdp(BROADCAST_MAC, macToNumber(MAC.a), ipToNumber('10.0.0.10'), 0xffffffff, 67, 68, Buffer.alloc(300)))
    assert.equal(out.pb!.length, 0)
  })
})

describe('VirtualSwitch backpressure (real unix sockets)', () => {
  async function setup(): Promise<{ sw: VirtualSwitch; a: Socket; b: Socket; c: Socket; close: () => void }> {
    const net = await import('node:net')
    const fs = await import('node:fs')
    const os = await import('node:os')
    const path = await import('node:path')
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stackling-bp-'))
    const t = topology()
    t.ports.find((p) => p.id === 'pc')!.network_id = 'net1'
    t.ports.find((p) => p.id === 'pc')!.fixed_ips = [{ subnet_id: 's1', ip_address: '10.0.0.12' }]
    const sw = new VirtualSwitch()
    sw.apply(t)
    const peers: Socket[] = []
    const clients: Socket[] = []
    for (const id of ['pa', 'pb', 'pc']) {
      const sock = path.join(dir, `${id}.sock`)
      const accepted = new Promise<Socket>((resolve) => {
        const srv = net.createServer((c) => {
          srv.close()
          resolve(c)
        })
        srv.listen(sock)
      })
      const client = net.connect(sock)
      client.on('error', () => undefined)
      clients.push(client)
      await new Promise((r) => client.once('connect', r))
      sw.attach(sw.ports.get(id)!, client, () => undefined)
      peers.push(await accepted)
    }
    const [a, b, c] = peers as [Socket, Socket, Socket]
    return { sw, a, b, c, close: () => { for (const s of [...clients, ...peers]) s.destroy(); fs.rmSync(dir, { recursive: true, force: true }) } }
  }
  const frameTo = (mac: string, ip: string, sport: number) =>
    record(buildUdp(macToNumber(mac), macToNumber(MAC.a), ipToNumber('10.0.0.10'), ipToNumber(ip), sport, 5001, Buffer.alloc(1472)))
  const burst = Buffer.concat(Array.from({ length: 64 }, (_, i) => frameTo(MAC.b, '10.0.0.11', 40000 + (i % 8))))

  async function flood(a: Socket, ms: number, tick?: () => void): Promise<number> {
    let sent = 0
    let stop = false
    const pump = () => {
      while (!stop) {
        sent += 64
        if (!a.write(burst)) return void a.once('drain', pump)
      }
    }
    pump()
    const iv = tick ? setInterval(tick, 20) : undefined
    await new Promise((r) => setTimeout(r, ms))
    stop = true
    if (iv) clearInterval(iv)
    await new Promise((r) => setTimeout(r, 300))
    return sent
  }

  it('slows a fast sender to a slow reader instead of dropping its frames', async () => {
    const { sw, a, b, close } = await setup()
    try {
      b.on('data', () => {
        b.pause()
        setTimeout(() => b.resume(), 2)
      })
      const sent = await flood(a, 1500)
      assert.ok(sent > 1000, `sent ${sent}`)
      assert.equal(sw.ports.get('pb')!.out!.dropped, 0)
    } finally {
      close()
    }
  })

  it('does not let a peer that stops reading hold up traffic to the others', async () => {
    const { a, b, c, close } = await setup()
    try {
      b.pause()
      let got = 0
      c.on('data', (d: Buffer) => (got += d.length))
      let sentC = 0
      await flood(a, 1500, () => {
        a.write(frameTo(MAC.c, '10.0.0.12', 41000))
        sentC++
      })
      assert.ok(sentC > 20)
      assert.ok(got / 1518 >= sentC * 0.9, `c got ${got / 1518} of ${sentC}`)
    } finally {
      close()
    }
  })
})
