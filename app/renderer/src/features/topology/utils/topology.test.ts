import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Server } from '../../../lib/openstack/compute'
import type { FloatingIp, Network, Port, Router, Subnet } from '../../../lib/openstack/network'
import { fitText, layoutTopology, SIZES, statusTone, type TopologyLayout } from './topology-layout'
import { buildTopology, isEmptyTopology, type TopologyInput } from './topology-model'

const net = (id: string, name: string, external = false): Network => ({
  id,
  name,
  status: 'ACTIVE',
  admin_state_up: true,
  shared: false,
  'router:external': external,
  subnets: [],
  project_id: 'p',
})
const subnet = (network_id: string, cidr: string): Subnet => ({ id: `s-${cidr}`, name: '', network_id, ip_version: 4, cidr, gateway_ip: null, enable_dhcp: true, project_id: 'p' })
let portSeq = 0
const port = (network_id: string, device_id: string, device_owner: string, ip: string): Port => ({
  id: `port-${String(++portSeq).padStart(3, '0')}`,
  name: '',
  network_id,
  mac_address: 'fa:16:3e:00:00:00',
  admin_state_up: true,
  status: 'ACTIVE',
  device_id,
  device_owner,
  fixed_ips: [{ subnet_id: 's', ip_address: ip }],
  security_groups: [],
  project_id: 'p',
})
const router = (id: string, name: string, gw?: string, ip = '172.24.4.10'): Router => ({
  id,
  name,
  status: 'ACTIVE',
  admin_state_up: true,
  external_gateway_info: gw ? { network_id: gw, enable_snat: true, external_fixed_ips: [{ subnet_id: 's', ip_address: ip }] } : null,
  project_id: 'p',
})
const server = (id: string, name: string, status = 'ACTIVE') => ({ id, name, status }) as Server
const fip = (address: string, port_id: string | null): FloatingIp => ({
  id: `f-${address}`,
  floating_ip_address: address,
  floating_network_id: 'pub',
  fixed_ip_address: null,
  port_id,
  router_id: null,
  status: 'ACTIVE',
  project_id: 'p',
})

/** DevStack's picture: public, private, router1, one instance with a floating IP. */
function devstack(): TopologyInput {
  const vmPort = port('priv', 'vm1', 'compute:nova', '10.0.0.5')
  return {
    networks: [net('priv', 'private'), net('pub', 'public', true)],
    subnets: [subnet('pub', '172.24.4.0/24'), subnet('priv', '10.0.0.0/26')],
    ports: [port('priv', 'r1', 'network:router_interface', '10.0.0.1'), port('pub', 'r1', 'network:router_gateway', '172.24.4.10'), port('priv', 'dhcp', 'network:dhcp', '10.0.0.2'), vmPort],
    routers: [router('r1', 'router1', 'pub')],
    floatingIps: [fip('172.24.4.20', vmPort.id), fip('172.24.4.21', null)],
    servers: [server('vm1', 'vm1')],
  }
}

/** No two boxes (bars, routers, instances) overlap. */
function assertNoOverlap(l: TopologyLayout) {
  const boxes = [...l.networks, ...l.routers, ...l.instances].map((b) => ({ x: b.x, y: b.y, w: b.w, h: b.h }))
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!
      const b = boxes[j]!
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y
      assert.ok(apart, `boxes ${i} and ${j} overlap: ${JSON.stringify(a)} ${JSON.stringify(b)}`)
    }
    assert.ok(boxes[i]!.x >= 0 && boxes[i]!.x + boxes[i]!.w <= l.width && boxes[i]!.y + boxes[i]!.h <= l.height, `box ${i} is inside the picture`)
  }
}

describe('topology model', () => {
  it('links routers by their interface and gateway ports, instances by device_id, floating IPs by port', () => {
    const m = buildTopology(devstack())
    assert.deepEqual(
      m.networks.map((n) => [n.name, n.external, n.cidrs]),
      [
        ['public', true, ['172.24.4.0/24']],
        ['private', false, ['10.0.0.0/26']],
      ],
    )
    assert.equal(m.routers.length, 1)
    assert.deepEqual(m.routers[0]!.gateway, { networkId: 'pub', ips: ['172.24.4.10'], snat: true })
    assert.deepEqual(
      m.routers[0]!.interfaces.map((i) => [i.networkId, i.ips]),
      [['priv', ['10.0.0.1']]],
    )
    assert.deepEqual(
      m.instances.map((i) => [i.name, i.status, i.ports.map((p) => p.ips[0]), i.floatingIps]),
      [['vm1', 'ACTIVE', ['10.0.0.5'], ['172.24.4.20']]],
    )
  })

  it('keeps instances without ports, and ports of servers it cannot list', () => {
    const input = devstack()
    const m = buildTopology({ ...input, servers: [...input.servers!, server('vm2', 'no-port', 'BUILD')], ports: [...input.ports, port('priv', 'other', 'compute:nova', '10.0.0.9')] })
    assert.deepEqual(
      m.instances.map((i) => [i.name, i.known, i.ports.length]),
      [
        ['instance other', false, 1],
        ['no-port', true, 0],
        ['vm1', true, 1],
      ],
    )
    assert.equal(isEmptyTopology(buildTopology({ networks: [], subnets: [], ports: [], routers: [], floatingIps: [] })), true)
  })
})

describe('topology layout', () => {
  it('draws DevStack: public on top, router1 under it, private under the router, the instance under private', () => {
    const l = layoutTopology(buildTopology(devstack()))
    const [pub, priv] = l.networks
    assert.equal(pub!.network.name, 'public')
    assert.equal(priv!.network.name, 'private')
    const r = l.routers[0]!
    const vm = l.instances[0]!
    assert.ok(pub!.y + pub!.h < r.y && r.y + r.h < priv!.y && priv!.y + priv!.h < vm.y, 'rows top to bottom')
    assert.equal(pub!.w, l.width - 2 * SIZES.margin, 'the external network spans the picture')
    assert.deepEqual(
      l.links.map((k) => [k.kind, k.deviceName, k.networkName, k.label.lines.join(' / ')]),
      [
        ['gateway', 'router1', 'public', 'gateway 172.24.4.10 / SNAT on'],
        ['interface', 'router1', 'private', '10.0.0.1'],
        ['port', 'vm1', 'private', '10.0.0.5'],
      ],
    )
    assert.equal(vm.floating, '172.24.4.20')
    assertNoOverlap(l)
  })

  it('is deterministic: the same data (in any order) gives the same picture', () => {
    const input = devstack()
    const a = layoutTopology(buildTopology(input))
    const b = layoutTopology(buildTopology({ ...input, networks: [...input.networks].reverse(), ports: [...input.ports].reverse(), subnets: [...input.subnets].reverse() }))
    assert.deepEqual(a, b)
  })

  it('stays readable with 3 networks, 2 routers and 8 instances', () => {
    const input: TopologyInput = {
      networks: [net('pub', 'public', true), net('a', 'private'), net('b', 'backend')],
      subnets: [subnet('pub', '172.24.4.0/24'), subnet('a', '10.0.0.0/26'), subnet('b', '10.1.0.0/24')],
      ports: [
        port('a', 'r1', 'network:router_interface', '10.0.0.1'),
        port('b', 'r2', 'network:router_interface', '10.1.0.1'),
        port('a', 'r2', 'network:router_interface', '10.0.0.62'),
        ...Array.from({ length: 5 }, (_, i) => port('a', `vm${i}`, 'compute:nova', `10.0.0.${10 + i}`)),
        ...Array.from({ length: 3 }, (_, i) => port('b', `vm${5 + i}`, 'compute:nova', `10.1.0.${10 + i}`)),
        port('b', 'vm0', 'compute:nova', '10.1.0.99'),
      ],
      routers: [router('r1', 'router1', 'pub'), router('r2', 'router2', 'pub', '172.24.4.11')],
      floatingIps: [],
      servers: Array.from({ length: 8 }, (_, i) => server(`vm${i}`, `web-server-number-${i}`, i === 3 ? 'ERROR' : 'ACTIVE')),
    }
    const l = layoutTopology(buildTopology(input))
    assertNoOverlap(l)
    assert.equal(l.instances.length, 8)
    assert.equal(l.routers.length, 2)
    assert.ok(l.width <= 1400, `fits a laptop screen at a small scale (${l.width} px wide)`)
    // Every port is drawn, vm0's second port with an elbow to the other network.
    assert.equal(l.links.filter((k) => k.kind === 'port').length, 9)
    const elbow = l.links.find((k) => k.deviceId === 'vm0' && k.networkName === 'backend')!
    assert.match(elbow.d, /H/)
    // Routers over the networks they join, in name order here.
    assert.ok(l.routers[0]!.x < l.routers[1]!.x)
    // Names are shortened to their box.
    assert.ok(l.instances.every((i) => i.name.endsWith('…')))
    assert.equal(l.instances.find((i) => i.instance.id === 'vm3')!.tone, 'danger')
  })

  it('puts instances without a port apart, under a caption', () => {
    const l = layoutTopology(buildTopology({ networks: [], subnets: [], ports: [], routers: [], floatingIps: [], servers: [server('vm', 'lonely')] }))
    assert.deepEqual(
      l.captions.map((c) => c.text),
      ['no port on a network'],
    )
    assert.equal(l.links.length, 0)
    assertNoOverlap(l)
  })

  it('names colours and shortens text', () => {
    assert.equal(statusTone('BUILD'), 'info')
    assert.equal(statusTone('SHUTOFF'), 'neutral')
    assert.equal(fitText('short', 100, 12), 'short')
    assert.equal(fitText('a-very-long-instance-name', 80, 12), 'a-very-lon…')
  })
})
