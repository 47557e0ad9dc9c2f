import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { passwordLogin } from '../../app/main/cloud/testing/password-login'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { openstack, openstackJson } from '../fixtures/openstack-cli'

/** A port nothing on this computer listens on right now (the kernel's pick: above 1024). */
async function freeHostPort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

/** The unmodified `openstack network|subnet|port|security group|router|floating ip` commands against Neutron v2.0. */
describe('openstack network CLI', () => {
  let cloud: RunningCloud
  const demo = (args: string[]) => openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling-demo', ...args])
  const run = (args: string[], name = 'stackling-demo') => openstack(cloud.cloudsYaml, ['--os-cloud', name, ...args])

  before(async () => {
    cloud = await startTestCloud()
  })
  after(async () => {
    await cloud?.stop()
  })

  it('lists the first-start networks, subnets and router', async () => {
    const nets = await demo(['network', 'list'])
    assert.deepEqual(nets.map((n: { Name: string }) => n.Name).sort(), ['private', 'public'])
    const subnets = await demo(['subnet', 'list'])
    assert.ok(subnets.some((s: { Name: string; Subnet: string }) => s.Name === 'private-subnet' && s.Subnet === '10.0.0.0/26'))
    const router = await demo(['router', 'show', 'router1'])
    assert.equal(router.external_gateway_info.network_id, nets.find((n: { Name: string }) => n.Name === 'public').ID)
    const admin = await openstackJson(cloud.cloudsYaml, ['--os-cloud', 'stackling', 'network', 'show', 'public'])
    assert.equal(admin['router:external'], true)
  })

  it('creates, lists, shows and deletes a network, subnet and port', async () => {
    const net = await demo(['network', 'create', 'cli-net'])
    assert.equal(net.name, 'cli-net')
    assert.equal(net.status, 'ACTIVE')
    const sub = await demo(['subnet', 'create', '--network', 'cli-net', '--subnet-range', '10.77.0.0/24', 'cli-sub'])
    assert.equal(sub.cidr, '10.77.0.0/24')
    assert.equal(sub.gateway_ip, '10.77.0.1')
    const port = await demo(['port', 'create', '--network', 'cli-net', 'cli-port'])
    assert.match(JSON.stringify(port.fixed_ips), /10\.77\.0\.2/)
    const ports = await demo(['port', 'list', '--network', 'cli-net'])
    assert.equal(ports.length, 1)
    assert.equal((await demo(['port', 'show', 'cli-port'])).id, port.id)
    assert.equal((await demo(['subnet', 'show', 'cli-sub'])).id, sub.id)
    const inUse = await run(['subnet', 'delete', 'cli-sub'])
    assert.notEqual(inUse.code, 0)
    assert.match(inUse.stderr, /One or more ports have an IP allocation from this subnet/)
    assert.equal((await run(['port', 'delete', 'cli-port'])).code, 0)
    assert.equal((await run(['subnet', 'delete', 'cli-sub'])).code, 0)
    assert.equal((await run(['network', 'delete', 'cli-net'])).code, 0)
    assert.ok(!(await demo(['network', 'list'])).some((n: { Name: string }) => n.Name === 'cli-net'))
  })

  it('adds a rule to the default security group', async () => {
    const rule = await demo(['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '80', 'default'])
    assert.equal(rule.port_range_min, 80)
    assert.equal(rule.port_range_max, 80)
    assert.equal(rule.protocol, 'tcp')
    const again = await run(['security', 'group', 'rule', 'create', '--protocol', 'tcp', '--dst-port', '80', 'default'])
    assert.notEqual(again.code, 0)
    assert.match(again.stderr, /Security group rule already exists/)
    const rules = await demo(['security', 'group', 'rule', 'list', 'default'])
    assert.equal(rules.length, 5)
  })

  it('creates a router, sets and unsets its gateway, adds a subnet, allocates a floating IP', async () => {
    await demo(['network', 'create', 'rnet'])
    await demo(['subnet', 'create', '--network', 'rnet', '--subnet-range', '10.88.0.0/24', 'rsub'])
    const r = await demo(['router', 'create', 'cli-router'])
    assert.equal(r.name, 'cli-router')
    assert.equal((await run(['router', 'set', '--external-gateway', 'public', 'cli-router'])).code, 0)
    const withGw = await demo(['router', 'show', 'cli-router'])
    assert.equal(withGw.external_gateway_info.enable_snat, true)
    const add = await run(['router', 'add', 'subnet', 'cli-router', 'rsub'])
    assert.equal(add.code, 0, add.stderr)
    const ifaces = await demo(['port', 'list', '--router', 'cli-router'])
    assert.ok(ifaces.some((p: { 'Fixed IP Addresses': unknown }) => JSON.stringify(p['Fixed IP Addresses']).includes('10.88.0.1')))
    const unset = await run(['router', 'unset', '--external-gateway', 'cli-router'])
    assert.equal(unset.code, 0, unset.stderr)
    assert.equal((await demo(['router', 'show', 'cli-router'])).external_gateway_info, null)
    const fip = await demo(['floating', 'ip', 'create', 'public'])
    assert.match(fip.floating_ip_address, /^172\.24\.4\./)
    assert.equal((await run(['router', 'remove', 'subnet', 'cli-router', 'rsub'])).code, 0)
    assert.equal((await run(['router', 'delete', 'cli-router'])).code, 0)
    assert.equal((await run(['floating', 'ip', 'delete', fip.id])).code, 0)
  })

  it('associates a floating IP with a port and back; the API shows its host forwards meanwhile', async () => {
    const token = await passwordLogin(cloud.url, cloud.demo.username, cloud.demo.password, cloud.demo.project)
    const fipOf = async (id: string) =>
      ((await (await fetch(`${cloud.url}/networking/v2.0/floatingips/${id}`, { headers: { 'X-Auth-Token': token } })).json()) as { floatingip: any }).floatingip
    const port = await demo(['port', 'create', '--network', 'private', 'hf-port'])
    const fip = await demo(['floating', 'ip', 'create', 'public'])
    assert.deepEqual((await fipOf(fip.id)).host_forwards, [])
    const set = await run(['floating', 'ip', 'set', '--port', 'hf-port', fip.id])
    assert.equal(set.code, 0, set.stderr)
    const shown = await demo(['floating', 'ip', 'show', fip.id])
    assert.equal(shown.port_id, port.id)
    assert.equal(shown.fixed_ip_address, port.fixed_ips[0].ip_address)
    const assoc = await fipOf(fip.id)
    assert.deepEqual(assoc.host_forwards.map((h: { protocol: string; internal_port: number }) => `${h.protocol}/${h.internal_port}`), ['tcp/22', 'tcp/80'])
    for (const h of assoc.host_forwards) assert.ok(h.host_port >= 40000 && h.host_port <= 40999, String(h.host_port))
    const unset = await run(['floating', 'ip', 'unset', '--port', fip.id])
    assert.equal(unset.code, 0, unset.stderr)
    assert.equal((await demo(['floating', 'ip', 'show', fip.id])).port_id, null)
    assert.deepEqual((await fipOf(fip.id)).host_forwards, [])
    assert.equal((await run(['floating', 'ip', 'delete', fip.id])).code, 0)
    assert.equal((await run(['port', 'delete', 'hf-port'])).code, 0)
  })

  it('creates, lists, shows, updates and deletes floating IP port forwardings', async () => {
    const port = await demo(['port', 'create', '--network', 'private', 'pf-port'])
    const ip = port.fixed_ips[0].ip_address as string
    const fip = await demo(['floating', 'ip', 'create', 'public'])
    const external = await freeHostPort()
    const create = (ext: number, internal = '22') => [
      'floating', 'ip', 'port', 'forwarding', 'create', '--internal-ip-address', ip, '--port', 'pf-port',
      '--internal-protocol-port', internal, '--external-protocol-port', String(ext), '--protocol', 'tcp', fip.id,
    ]
    const pf = await demo(create(external))
    assert.equal(pf.internal_port_id, port.id)
    assert.equal(pf.internal_ip_address, ip)
    assert.equal(pf.internal_port, 22)
    assert.equal(pf.external_port, external)
    assert.equal(pf.protocol, 'tcp')
    const list = await demo(['floating', 'ip', 'port', 'forwarding', 'list', fip.id])
    assert.deepEqual(list.map((x: { ID: string; 'External Port': number; 'Internal Port ID': string }) => [x.ID, x['External Port'], x['Internal Port ID']]), [[pf.id, external, port.id]])
    assert.equal((await demo(['floating', 'ip', 'port', 'forwarding', 'list', '--protocol', 'udp', fip.id])).length, 0)
    const show = await demo(['floating', 'ip', 'port', 'forwarding', 'show', fip.id, pf.id])
    assert.equal(show.id, pf.id)
    assert.equal(show.external_port, external)
    const withPf = await demo(['floating', 'ip', 'show', fip.id])
    assert.equal(withPf.router_id, (await demo(['router', 'show', 'router1'])).id)
    // This cloud's external ports are ports of the computer: below 1024 they would need root, and each is used once.
    const low = await run(create(80, '80'))
    assert.notEqual(low.code, 0)
    assert.match(low.stderr, /below 1024.*root/)
    const twice = await run(create(external, '23'))
    assert.notEqual(twice.code, 0)
    assert.match(twice.stderr, /already used by port forwarding/)
    // A floating IP with port forwardings cannot be associated with a port.
    const assoc = await run(['floating', 'ip', 'set', '--port', 'pf-port', fip.id])
    assert.notEqual(assoc.code, 0)
    assert.match(assoc.stderr, /in use by Port Forwarding/)
    const set = await run(['floating', 'ip', 'port', 'forwarding', 'set', '--description', 'ssh', '--internal-protocol-port', '2022', fip.id, pf.id])
    assert.equal(set.code, 0, set.stderr)
    const updated = await demo(['floating', 'ip', 'port', 'forwarding', 'show', fip.id, pf.id])
    assert.equal(updated.description, 'ssh')
    assert.equal(updated.internal_port, 2022)
    const del = await run(['floating', 'ip', 'port', 'forwarding', 'delete', fip.id, pf.id])
    assert.equal(del.code, 0, del.stderr)
    assert.deepEqual(await demo(['floating', 'ip', 'port', 'forwarding', 'list', fip.id]), [])
    assert.equal((await demo(['floating', 'ip', 'show', fip.id])).router_id, null)
    assert.equal((await run(['floating', 'ip', 'delete', fip.id])).code, 0)
    assert.equal((await run(['port', 'delete', 'pf-port'])).code, 0)
  })
})
