import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startTestCloud, type RunningCloud } from '../fixtures/cloud'
import { openstack, openstackJson } from '../fixtures/openstack-cli'

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
})
