import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'
import { passwordLogin } from '../../testing/password-login'

const N = '/networking/v2.0'

describe('network API (Neutron v2.0)', () => {
  let t: TestCloud
  let admin: string
  let demo: string
  let other: string
  let reader: string
  let demoProject: string
  let otherProject: string
  let publicNet: any

  const call = (method: string, path: string, token: string, body?: unknown) => t.call(method, `${N}${path}`, { token, body })
  const ok = async (method: string, path: string, token: string, body?: unknown, status = method === 'POST' ? 201 : 200) => {
    const r = await call(method, path, token, body)
    assert.equal(r.status, status, `${method} ${path}: ${r.text}`)
    return r.body
  }
  const net = async (token: string, name: string, extra: Record<string, unknown> = {}) => (await ok('POST', '/networks', token, { network: { name, ...extra } })).network
  const subnet = async (token: string, networkId: string, cidr: string, extra: Record<string, unknown> = {}) =>
    (await ok('POST', '/subnets', token, { subnet: { network_id: networkId, cidr, ip_version: 4, ...extra } })).subnet
  const port = async (token: string, networkId: string, extra: Record<string, unknown> = {}) => (await ok('POST', '/ports', token, { port: { network_id: networkId, ...extra } })).port

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    admin = await t.login(t.admin.username, t.admin.password, 'admin')
    demo = await t.login(t.demo.username, t.demo.password, 'demo')
    const mkProject = async (name: string, roleName: string) => {
      const p = (await t.call('POST', '/identity/v3/projects', { token: admin, body: { project: { name } } })).body.project
      const u = (await t.call('POST', '/identity/v3/users', { token: admin, body: { user: { name, password: 'pw' } } })).body.user
      const role = (await t.call('GET', `/identity/v3/roles?name=${roleName}`, { token: admin })).body.roles[0]
      await t.call('PUT', `/identity/v3/projects/${p.id}/users/${u.id}/roles/${role.id}`, { token: admin })
      return p.id as string
    }
    otherProject = await mkProject('other', 'member')
    other = await t.login('other', 'pw', 'other')
    await mkProject('readonly', 'reader')
    reader = await t.login('readonly', 'pw', 'readonly')
    demoProject = (await t.call('GET', '/identity/v3/auth/tokens', { token: demo, headers: { 'X-Subject-Token': demo } })).body.token.project.id
    publicNet = (await ok('GET', '/networks?name=public', admin)).networks[0]
  })
  after(() => t.close())

  it('answers version discovery and lists its resources and extensions', async () => {
    const v = await t.call('GET', '/networking/')
    assert.equal(v.body.versions[0].id, 'v2.0')
    const r = await t.call('GET', '/networking/v2.0')
    assert.ok(r.body.resources.some((x: any) => x.collection === 'networks'))
    const ext = await ok('GET', '/extensions', demo)
    const aliases = ext.extensions.map((e: any) => e.alias)
    for (const a of ['router', 'external-net', 'security-group', 'quotas', 'binding']) assert.ok(aliases.includes(a), a)
    for (const e of ext.extensions) assert.deepEqual(Object.keys(e).sort(), ['alias', 'description', 'links', 'name', 'updated'])
    assert.equal((await ok('GET', '/extensions/router', demo)).extension.alias, 'router')
    assert.equal((await call('GET', '/extensions/nope', demo)).status, 404)
  })

  it('seeds DevStack’s topology on first start', async () => {
    assert.equal(publicNet['router:external'], true)
    assert.equal(publicNet.shared, false)
    const pubSub = (await ok('GET', `/subnets?network_id=${publicNet.id}`, admin)).subnets[0]
    assert.equal(pubSub.name, 'public-subnet')
    assert.equal(pubSub.cidr, '172.24.4.0/24')
    assert.equal(pubSub.gateway_ip, '172.24.4.1')
    assert.deepEqual(pubSub.allocation_pools, [{ start: '172.24.4.2', end: '172.24.4.253' }], '.254 is the host uplink’s')
    assert.equal(pubSub.enable_dhcp, false)
    const nets = (await ok('GET', '/networks', demo)).networks.map((n: any) => n.name).sort()
    assert.deepEqual(nets, ['private', 'public'])
    const priv = (await ok('GET', '/networks?name=private', demo)).networks[0]
    assert.equal(priv.project_id, demoProject)
    assert.equal(priv.tenant_id, demoProject)
    assert.equal(priv.mtu, 1500)
    const privSub = (await ok('GET', '/subnets?name=private-subnet', demo)).subnets[0]
    assert.equal(privSub.cidr, '10.0.0.0/26')
    assert.equal(privSub.gateway_ip, '10.0.0.1')
    const r1 = (await ok('GET', '/routers?name=router1', demo)).routers[0]
    assert.equal(r1.external_gateway_info.network_id, publicNet.id)
    assert.equal(r1.external_gateway_info.enable_snat, true)
    assert.match(r1.external_gateway_info.external_fixed_ips[0].ip_address, /^172\.24\.4\./)
    const ifaces = (await ok('GET', `/ports?device_id=${r1.id}&device_owner=network:router_interface`, demo)).ports
    assert.deepEqual(ifaces[0].fixed_ips, [{ subnet_id: privSub.id, ip_address: '10.0.0.1' }])
    assert.equal(ifaces[0].status, 'ACTIVE', 'a router port is up while its router is')
    assert.deepEqual(privSub.dns_nameservers, [])
    // A member sees the external network's subnet but not admin's gateway port.
    assert.ok((await ok('GET', '/subnets', demo)).subnets.some((s: any) => s.name === 'public-subnet'))
    assert.equal((await ok('GET', `/ports?device_owner=network:router_gateway`, demo)).ports.length, 0)
  })

  it('creates, shows, updates and deletes a network in Neutron’s shape', async () => {
    const n = await net(demo, 'n-crud', { description: 'd' })
    for (const k of ['id', 'name', 'description', 'admin_state_up', 'status', 'subnets', 'shared', 'router:external', 'mtu', 'port_security_enabled', 'project_id', 'tenant_id', 'created_at', 'updated_at', 'revision_number', 'tags', 'availability_zones']) {
      assert.ok(k in n, k)
    }
    assert.equal(n.status, 'ACTIVE')
    assert.equal(n.admin_state_up, true)
    assert.deepEqual(n.subnets, [])
    const u = await ok('PUT', `/networks/${n.id}`, demo, { network: { name: 'n-crud2' } })
    assert.equal(u.network.name, 'n-crud2')
    assert.equal(u.network.revision_number, 1)
    assert.equal((await ok('GET', `/networks/${n.id}?fields=name&fields=id`, demo)).network.name, 'n-crud2')
    assert.deepEqual(Object.keys((await ok('GET', `/networks/${n.id}?fields=name`, demo)).network), ['name'])
    assert.equal((await call('DELETE', `/networks/${n.id}`, demo)).status, 204)
    const gone = await call('GET', `/networks/${n.id}`, demo)
    assert.equal(gone.status, 404)
    assert.equal(gone.body.NeutronError.type, 'NetworkNotFound')
    assert.equal(gone.body.NeutronError.message, `Network ${n.id} could not be found.`)
    assert.equal(gone.body.NeutronError.detail, '')
    assert.equal((await call('POST', '/networks', demo, { network: { name: 'x', bogus: 1 } })).status, 400)
  })

  it('keeps admin-only attributes for admins, readers read-only, and other projects out (404)', async () => {
    assert.equal((await call('POST', '/networks', demo, { network: { name: 'x', shared: true } })).status, 403)
    assert.equal((await call('POST', '/networks', demo, { network: { name: 'x', 'router:external': true } })).status, 403)
    assert.equal((await call('POST', '/networks', reader, { network: { name: 'x' } })).status, 403)
    assert.equal((await call('GET', '/networks', reader)).status, 200)
    const n = await net(demo, 'private-of-demo')
    assert.equal((await call('GET', `/networks/${n.id}`, other)).status, 404)
    assert.equal((await call('PUT', `/networks/${n.id}`, other, { network: { name: 'z' } })).status, 404)
    assert.equal((await call('DELETE', `/networks/${n.id}`, other)).status, 404)
    assert.ok(!(await ok('GET', '/networks', other)).networks.some((x: any) => x.id === n.id))
    // The shared external network is visible, but not writable.
    assert.equal((await call('PUT', `/networks/${publicNet.id}`, demo, { network: { name: 'z' } })).status, 403)
    const shared = await net(admin, 'shared-net', { shared: true })
    assert.ok((await ok('GET', '/networks', other)).networks.some((x: any) => x.id === shared.id))
    assert.equal((await call('GET', `/networks/${n.id}`, admin)).status, 200)
  })

  it('validates subnets: cidr, gateway, pools, overlap, IPv6', async () => {
    const n = await net(demo, 'n-sub')
    const s = await subnet(demo, n.id, '192.168.10.0/24', { name: 's1', dns_nameservers: ['8.8.8.8'] })
    assert.equal(s.gateway_ip, '192.168.10.1')
    assert.deepEqual(s.allocation_pools, [{ start: '192.168.10.2', end: '192.168.10.254' }])
    assert.equal(s.enable_dhcp, true)
    assert.equal(s.ip_version, 4)
    assert.deepEqual(s.dns_nameservers, ['8.8.8.8'])
    assert.deepEqual((await ok('GET', `/networks/${n.id}`, demo)).network.subnets, [s.id])
    const mid = await subnet(demo, n.id, '192.168.11.0/24', { gateway_ip: '192.168.11.100' })
    assert.deepEqual(mid.allocation_pools, [{ start: '192.168.11.1', end: '192.168.11.99' }, { start: '192.168.11.101', end: '192.168.11.254' }])
    const nogw = await subnet(demo, n.id, '192.168.12.0/24', { gateway_ip: null })
    assert.equal(nogw.gateway_ip, null)
    assert.deepEqual(nogw.allocation_pools, [{ start: '192.168.12.1', end: '192.168.12.254' }])
    const bad = async (body: Record<string, unknown>) => (await call('POST', '/subnets', demo, { subnet: { network_id: n.id, ip_version: 4, ...body } })).status
    assert.equal(await bad({ cidr: '192.168.20.5/24' }), 400)
    assert.equal(await bad({ cidr: 'nonsense' }), 400)
    assert.equal(await bad({ cidr: '192.168.10.128/25' }), 400, 'overlap')
    assert.equal(await bad({ cidr: '192.168.21.0/24', gateway_ip: '10.0.0.1' }), 400)
    assert.equal(await bad({ cidr: '192.168.22.0/24', allocation_pools: [{ start: '192.168.22.1', end: '192.168.22.50' }] }), 400, 'pool holds the gateway')
    assert.equal(await bad({ cidr: '192.168.23.0/24', allocation_pools: [{ start: '192.168.23.10', end: '192.168.24.5' }] }), 400, 'pool outside')
    assert.equal(await bad({ cidr: '192.168.25.0/24', allocation_pools: [{ start: '192.168.25.10', end: '192.168.25.20' }, { start: '192.168.25.15', end: '192.168.25.30' }] }), 400)
    const v6 = await call('POST', '/subnets', demo, { subnet: { network_id: n.id, ip_version: 6, cidr: 'fd00::/64' } })
    assert.equal(v6.status, 400)
    assert.match(v6.body.NeutronError.message, /not supported yet/)
    // Only the network's owner adds subnets; others do not even see it.
    assert.equal((await call('POST', '/subnets', other, { subnet: { network_id: n.id, ip_version: 4, cidr: '10.9.0.0/24' } })).status, 404)
  })

  it('allocates fixed IPs without ever handing one out twice (20 concurrent creates on a /28)', async () => {
    const n = await net(demo, 'n-ipam')
    const s = await subnet(demo, n.id, '10.20.0.0/28')
    const results = await Promise.all(Array.from({ length: 20 }, () => call('POST', '/ports', demo, { port: { network_id: n.id } })))
    const created = results.filter((r) => r.status === 201)
    const failed = results.filter((r) => r.status !== 201)
    assert.equal(created.length, 13, 'a /28 has 13 addresses once network, broadcast and gateway are out')
    for (const f of failed) {
      assert.equal(f.status, 409)
      assert.equal(f.body.NeutronError.type, 'IpAddressGenerationFailure')
      assert.equal(f.body.NeutronError.message, `No more IP addresses available on network ${n.id}.`)
    }
    const ips = created.map((r) => r.body.port.fixed_ips[0].ip_address)
    assert.equal(new Set(ips).size, 13)
    assert.ok(!ips.includes('10.20.0.1'))
    const macs = created.map((r) => r.body.port.mac_address)
    assert.equal(new Set(macs).size, 13)
    for (const m of macs) assert.match(m, /^fa:16:3e(:[0-9a-f]{2}){3}$/)
    // Deleting a port frees its address; a specific address is honoured, a taken one refused.
    const first = created[0]!.body.port
    assert.equal((await call('DELETE', `/ports/${first.id}`, demo)).status, 204)
    const again = await port(demo, n.id, { fixed_ips: [{ subnet_id: s.id, ip_address: first.fixed_ips[0].ip_address }] })
    assert.equal(again.fixed_ips[0].ip_address, first.fixed_ips[0].ip_address)
    const dup = await call('POST', '/ports', demo, { port: { network_id: n.id, fixed_ips: [{ ip_address: again.fixed_ips[0].ip_address }] } })
    assert.equal(dup.status, 409)
    // Subnet and network in use.
    const inUse = await call('DELETE', `/subnets/${s.id}`, demo)
    assert.equal(inUse.status, 409)
    assert.equal(inUse.body.NeutronError.message, `Unable to complete operation on subnet ${s.id}: One or more ports have an IP allocation from this subnet.`)
    assert.equal((await call('DELETE', `/networks/${n.id}`, demo)).status, 409)
    for (const p of (await ok('GET', `/ports?network_id=${n.id}`, demo)).ports) await ok('DELETE', `/ports/${p.id}`, demo, undefined, 204)
    assert.equal((await call('DELETE', `/subnets/${s.id}`, demo)).status, 204)
    assert.equal((await call('DELETE', `/networks/${n.id}`, demo)).status, 204)
  })

  it('creates ports in Neutron’s shape with the default security group, binding for admins only', async () => {
    const n = await net(demo, 'n-port')
    await subnet(demo, n.id, '10.30.0.0/24')
    const p = await port(demo, n.id, { name: 'p1', device_owner: 'compute:nova', device_id: 'vm-1' })
    assert.equal(p.status, 'DOWN')
    assert.equal(p.admin_state_up, true)
    assert.equal(p.fixed_ips[0].ip_address, '10.30.0.2')
    assert.equal(p.port_security_enabled, true)
    assert.deepEqual(p.allowed_address_pairs, [])
    assert.ok(!('binding:host_id' in p), 'binding attributes are admin-only')
    const def = (await ok('GET', '/security-groups?name=default', demo)).security_groups[0]
    assert.deepEqual(p.security_groups, [def.id])
    assert.equal((await call('POST', '/ports', demo, { port: { network_id: n.id, 'binding:host_id': 'h' } })).status, 403)
    const bound = (await ok('PUT', `/ports/${p.id}`, admin, { port: { 'binding:host_id': 'stackling' } })).port
    assert.equal(bound.status, 'DOWN', 'bound, but no guest is connected (this cloud has no data plane)')
    assert.equal(bound['binding:vif_type'], 'other')
    assert.deepEqual(bound['binding:vif_details'], { connectivity: 'l2', port_filter: true })
    assert.equal(bound['binding:vnic_type'], 'normal')
    const unbound = (await ok('PUT', `/ports/${p.id}`, admin, { port: { device_id: '' } })).port
    assert.equal(unbound['binding:vif_type'], 'unbound')
    assert.deepEqual(unbound['binding:vif_details'], {})
    const pairs = (await ok('PUT', `/ports/${p.id}`, demo, { port: { allowed_address_pairs: [{ ip_address: '10.30.0.200' }] } })).port
    assert.deepEqual(pairs.allowed_address_pairs, [{ ip_address: '10.30.0.200', mac_address: p.mac_address }])
    const insecure = await port(demo, n.id, { port_security_enabled: false })
    assert.deepEqual(insecure.security_groups, [])
    assert.equal((await call('POST', '/ports', demo, { port: { network_id: n.id, port_security_enabled: false, security_groups: [def.id] } })).status, 409)
    assert.equal((await call('GET', `/ports/${p.id}`, other)).status, 404)
    // The group is in use now.
    const del = await call('DELETE', `/security-groups/${def.id}`, demo)
    assert.equal(del.status, 409)
  })

  it('creates the default security group lazily with Neutron’s rules; it cannot be deleted', async () => {
    const groups = (await ok('GET', '/security-groups', other)).security_groups
    assert.equal(groups.length, 1)
    const def = groups[0]
    assert.equal(def.name, 'default')
    assert.equal(def.project_id, otherProject)
    const rules = def.security_group_rules.map((r: any) => `${r.direction}/${r.ethertype}/${r.remote_group_id === def.id ? 'self' : r.remote_group_id}`).sort()
    assert.deepEqual(rules, ['egress/IPv4/null', 'egress/IPv6/null', 'ingress/IPv4/self', 'ingress/IPv6/self'])
    const del = await call('DELETE', `/security-groups/${def.id}`, other)
    assert.equal(del.status, 409)
    assert.equal(del.body.NeutronError.type, 'SecurityGroupCannotRemoveDefault')
    assert.equal((await ok('GET', '/security-groups', other)).security_groups.length, 1, 'listing again creates no second one')
  })

  it('validates security group rules and refuses duplicates', async () => {
    const g = (await ok('POST', '/security-groups', demo, { security_group: { name: 'web', description: 'w' } })).security_group
    assert.equal(g.security_group_rules.length, 2, 'egress rules of a new group')
    const rule = (body: Record<string, unknown>) => call('POST', '/security-group-rules', demo, { security_group_rule: { security_group_id: g.id, direction: 'ingress', ...body } })
    const r = await rule({ protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_ip_prefix: '0.0.0.0/0' })
    assert.equal(r.status, 201, r.text)
    assert.equal(r.body.security_group_rule.ethertype, 'IPv4')
    assert.equal(r.body.security_group_rule.protocol, 'tcp')
    const dup = await rule({ protocol: 'tcp', port_range_min: 80, port_range_max: 80 })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.NeutronError.message, `Security group rule already exists. Rule id is ${r.body.security_group_rule.id}.`)
    const type = async (body: Record<string, unknown>) => (await rule(body)).body?.NeutronError?.type
    assert.equal(await type({ protocol: 'tcp', port_range_min: 90, port_range_max: 80 }), 'SecurityGroupInvalidPortRange')
    assert.equal(await type({ protocol: 'tcp', port_range_min: 70000, port_range_max: 70000 }), 'SecurityGroupInvalidPortValue')
    assert.equal(await type({ port_range_min: 22, port_range_max: 22 }), 'SecurityGroupProtocolRequiredWithPorts')
    assert.equal(await type({ protocol: 'icmp', port_range_min: 300 }), 'SecurityGroupInvalidIcmpValue')
    assert.equal(await type({ protocol: 'icmp', port_range_max: 0 }), 'SecurityGroupMissingIcmpType')
    assert.equal(await type({ protocol: 'bogus' }), 'SecurityGroupRuleInvalidProtocol')
    assert.equal(await type({ protocol: 'tcp', remote_ip_prefix: '10.0.0.0/8', remote_group_id: g.id }), 'SecurityGroupRemoteGroupAndRemoteIpPrefix')
    assert.equal(await type({ ethertype: 'IPv6', remote_ip_prefix: '10.0.0.0/8' }), 'SecurityGroupRuleParameterConflict')
    assert.equal((await rule({ direction: 'sideways' })).status, 400)
    assert.equal((await rule({ protocol: 'icmp', port_range_min: 8, port_range_max: 0 })).status, 201)
    assert.equal((await rule({ protocol: '47' })).status, 201)
    assert.equal((await call('POST', '/security-group-rules', other, { security_group_rule: { security_group_id: g.id, direction: 'ingress' } })).status, 404)
    assert.equal((await call('DELETE', `/security-groups/${g.id}`, demo)).status, 204)
    assert.equal((await ok('GET', `/security-group-rules?security_group_id=${g.id}`, demo)).security_group_rules.length, 0)
  })

  it('attaches subnets to routers and detaches them, as Neutron does', async () => {
    const n = await net(demo, 'n-rtr')
    const s = await subnet(demo, n.id, '10.40.0.0/24')
    const rtr = (await ok('POST', '/routers', demo, { router: { name: 'r-test' } })).router
    assert.equal(rtr.external_gateway_info, null)
    assert.equal(rtr.status, 'ACTIVE')
    const notExt = await call('PUT', `/routers/${rtr.id}`, demo, { router: { external_gateway_info: { network_id: n.id } } })
    assert.equal(notExt.status, 400)
    const withGw = (await ok('PUT', `/routers/${rtr.id}`, demo, { router: { external_gateway_info: { network_id: publicNet.id } } })).router
    assert.equal(withGw.external_gateway_info.enable_snat, true)
    assert.equal((await call('PUT', `/routers/${rtr.id}`, demo, { router: { external_gateway_info: { network_id: publicNet.id, enable_snat: false } } })).status, 403)
    const add = await ok('PUT', `/routers/${rtr.id}/add_router_interface`, demo, { subnet_id: s.id })
    assert.deepEqual(Object.keys(add).sort(), ['id', 'network_id', 'port_id', 'project_id', 'subnet_id', 'subnet_ids', 'tenant_id'])
    assert.equal(add.subnet_id, s.id)
    const ifPort = (await ok('GET', `/ports/${add.port_id}`, demo)).port
    assert.equal(ifPort.device_owner, 'network:router_interface')
    assert.deepEqual(ifPort.fixed_ips, [{ subnet_id: s.id, ip_address: '10.40.0.1' }])
    assert.equal((await call('PUT', `/routers/${rtr.id}/add_router_interface`, demo, { subnet_id: s.id })).status, 400)
    const other2 = (await ok('POST', '/routers', demo, { router: { name: 'r-two' } })).router
    const taken = await call('PUT', `/routers/${other2.id}/add_router_interface`, demo, { subnet_id: s.id })
    assert.equal(taken.status, 409, 'the gateway address is the first router’s')
    assert.equal((await call('PUT', `/routers/${rtr.id}/add_router_interface`, demo, {})).status, 400)
    assert.equal((await call('DELETE', `/ports/${add.port_id}`, demo)).status, 409, 'router ports go through the router')
    const inUse = await call('DELETE', `/routers/${rtr.id}`, demo)
    assert.equal(inUse.status, 409)
    assert.equal(inUse.body.NeutronError.type, 'RouterInUse')
    const removed = await ok('PUT', `/routers/${rtr.id}/remove_router_interface`, demo, { subnet_id: s.id })
    assert.equal(removed.port_id, add.port_id)
    assert.equal((await call('PUT', `/routers/${rtr.id}/remove_router_interface`, demo, { subnet_id: s.id })).status, 404)
    // An interface through an existing port.
    const p = await port(demo, n.id, { fixed_ips: [{ subnet_id: s.id, ip_address: '10.40.0.1' }] }).catch(() => undefined)
    assert.equal(p, undefined, 'the gateway address is reserved for router ports')
    const p2 = await port(demo, n.id)
    const viaPort = await ok('PUT', `/routers/${rtr.id}/add_router_interface`, demo, { port_id: p2.id })
    assert.equal(viaPort.port_id, p2.id)
    await ok('PUT', `/routers/${rtr.id}/remove_router_interface`, demo, { port_id: p2.id })
    // `router unset --external-gateway` sends {}.
    const cleared = (await ok('PUT', `/routers/${rtr.id}`, demo, { router: { external_gateway_info: {} } })).router
    assert.equal(cleared.external_gateway_info, null)
    assert.equal((await call('DELETE', `/routers/${rtr.id}`, demo)).status, 204)
    assert.equal((await call('GET', `/routers/${rtr.id}`, other)).status, 404)
  })

  it('allocates floating IPs from the external network and associates them only through a router', async () => {
    const fip = (await ok('POST', '/floatingips', demo, { floatingip: { floating_network_id: publicNet.id } })).floatingip
    assert.match(fip.floating_ip_address, /^172\.24\.4\./)
    assert.equal(fip.status, 'DOWN')
    assert.equal(fip.port_id, null)
    assert.equal(fip.router_id, null)
    assert.equal(fip.fixed_ip_address, null)
    const priv = (await ok('GET', '/networks?name=private', demo)).networks[0]
    const vm = await port(demo, priv.id, { device_owner: 'compute:nova', device_id: 'vm-fip' })
    const assoc = (await ok('PUT', `/floatingips/${fip.id}`, demo, { floatingip: { port_id: vm.id } })).floatingip
    const router1 = (await ok('GET', '/routers?name=router1', demo)).routers[0]
    assert.equal(assoc.status, 'ACTIVE')
    assert.equal(assoc.router_id, router1.id)
    assert.equal(assoc.fixed_ip_address, vm.fixed_ips[0].ip_address)
    assert.equal(assoc.port_details.device_id, 'vm-fip')
    // A port on a network with no router to the external network.
    const lone = await net(demo, 'n-lone')
    await subnet(demo, lone.id, '10.50.0.0/24')
    const lp = await port(demo, lone.id)
    const fip2 = (await ok('POST', '/floatingips', demo, { floatingip: { floating_network_id: publicNet.id } })).floatingip
    const unreachable = await call('PUT', `/floatingips/${fip2.id}`, demo, { floatingip: { port_id: lp.id } })
    assert.equal(unreachable.status, 404)
    assert.equal(unreachable.body.NeutronError.type, 'ExternalGatewayForFloatingIPNotFound')
    const twice = await call('PUT', `/floatingips/${fip2.id}`, demo, { floatingip: { port_id: vm.id } })
    assert.equal(twice.status, 409)
    assert.equal((await call('PUT', `/floatingips/${fip2.id}`, demo, { floatingip: { port_id: vm.id, fixed_ip_address: '10.0.0.60' } })).status, 400)
    // The router's interface and gateway are held by the association.
    const privSub = (await ok('GET', '/subnets?name=private-subnet', demo)).subnets[0]
    assert.equal((await call('PUT', `/routers/${router1.id}/remove_router_interface`, demo, { subnet_id: privSub.id })).status, 409)
    assert.equal((await call('PUT', `/routers/${router1.id}`, demo, { router: { external_gateway_info: {} } })).status, 409)
    const dis = (await ok('PUT', `/floatingips/${fip.id}`, demo, { floatingip: { port_id: null } })).floatingip
    assert.equal(dis.status, 'DOWN')
    assert.equal(dis.router_id, null)
    assert.equal((await call('POST', '/floatingips', demo, { floatingip: { floating_network_id: priv.id } })).status, 400)
    assert.equal((await call('GET', `/floatingips/${fip.id}`, other)).status, 404)
    assert.equal((await call('DELETE', `/floatingips/${fip.id}`, demo)).status, 204)
    assert.equal((await call('DELETE', `/floatingips/${fip2.id}`, demo)).status, 204)
    await ok('DELETE', `/ports/${vm.id}`, demo, undefined, 204)
  })

  it('shows, updates and enforces quotas', async () => {
    const q = (await ok('GET', `/quotas/${otherProject}`, other)).quota
    assert.equal(q.network, 100)
    assert.equal(q.port, 500)
    assert.equal((await call('PUT', `/quotas/${otherProject}`, other, { quota: { network: 1 } })).status, 403)
    assert.equal((await call('GET', `/quotas/${demoProject}`, other)).status, 403)
    assert.equal((await ok('PUT', `/quotas/${otherProject}`, admin, { quota: { network: 1 } })).quota.network, 1)
    await net(other, 'q1')
    const over = await call('POST', '/networks', other, { network: { name: 'q2' } })
    assert.equal(over.status, 409)
    assert.equal(over.body.NeutronError.type, 'OverQuota')
    assert.equal(over.body.NeutronError.message, "Quota exceeded for resources: ['network'].")
    const details = (await ok('GET', `/quotas/${otherProject}/details`, other)).quota
    assert.deepEqual(details.network, { limit: 1, used: 1, reserved: 0 })
    assert.equal((await ok('GET', `/quotas/${otherProject}/default`, other)).quota.network, 100)
    assert.ok((await ok('GET', '/quotas', admin)).quotas.some((x: any) => x.project_id === otherProject))
    assert.equal((await call('DELETE', `/quotas/${otherProject}`, admin)).status, 204)
    assert.equal((await ok('GET', `/quotas/${otherProject}`, other)).quota.network, 100)
  })

  it('filters (repeatable), sorts, pages with links and selects fields on every list', async () => {
    const names = ['pg-a', 'pg-b', 'pg-c', 'pg-d']
    for (const n of names) await net(other, n)
    const all = (await ok('GET', '/networks?sort_key=name&sort_dir=desc', other)).networks.map((n: any) => n.name)
    assert.deepEqual(all.filter((n: string) => n.startsWith('pg-')), ['pg-d', 'pg-c', 'pg-b', 'pg-a'])
    const two = await ok('GET', '/networks?name=pg-a&name=pg-c&fields=name&fields=id', other)
    assert.deepEqual(two.networks.map((n: any) => n.name).sort(), ['pg-a', 'pg-c'])
    assert.deepEqual(Object.keys(two.networks[0]).sort(), ['id', 'name'])
    const page1 = await ok('GET', '/networks?sort_key=name&sort_dir=asc&limit=2&name=pg-a&name=pg-b&name=pg-c&name=pg-d', other)
    assert.deepEqual(page1.networks.map((n: any) => n.name), ['pg-a', 'pg-b'])
    const next = page1.networks_links.find((l: any) => l.rel === 'next')
    assert.ok(next)
    const page2 = (await t.call('GET', next.href.slice(t.url.length), { token: other })).body
    assert.deepEqual(page2.networks.map((n: any) => n.name), ['pg-c', 'pg-d'])
    const prev = page2.networks_links.find((l: any) => l.rel === 'previous')
    const back = (await t.call('GET', prev.href.slice(t.url.length), { token: other })).body
    assert.deepEqual(back.networks.map((n: any) => n.name), ['pg-a', 'pg-b'])
    assert.equal((await ok('GET', '/networks?admin_state_up=false', other)).networks.length, 0)
    assert.equal((await ok('GET', '/networks?router:external=true', other)).networks.length, 1)
    assert.equal((await call('GET', '/networks?limit=2&marker=nope', other)).status, 404)
  })
})

describe('network first-start seeding', () => {
  it('happens once: a restart on the same data keeps one topology, and deleted seeds stay deleted', async () => {
    const t = await startInProcessCloud({ hypervisor: 'fake' })
    const { startCloud } = await import('../../start-cloud')
    let cloud: Awaited<ReturnType<typeof startCloud>> | undefined
    try {
      const admin = await t.login(t.admin.username, t.admin.password, 'admin')
      const demo = await t.login(t.demo.username, t.demo.password, 'demo')
      const priv = (await t.call('GET', `${N}/networks?name=private`, { token: demo })).body.networks[0]
      const fip = await t.call('POST', `${N}/floatingips`, { token: demo, body: { floatingip: { floating_network_id: (await t.call('GET', `${N}/networks?name=public`, { token: admin })).body.networks[0].id } } })
      assert.equal(fip.status, 201)
      assert.ok(priv)
      await t.cloud.stop()
      cloud = await startCloud({ dataDir: t.dataDir, port: 0, config: { guestImageDir: undefined, hypervisor: 'fake' } })
      const token = await passwordLogin(cloud.url, t.admin.username, t.admin.password, 'admin')
      const nets = (await (await fetch(`${cloud.url}${N}/networks`, { headers: { 'X-Auth-Token': token } })).json()) as { networks: { name: string }[] }
      assert.deepEqual(nets.networks.map((n) => n.name).sort(), ['private', 'public'])
      const fips = (await (await fetch(`${cloud.url}${N}/floatingips`, { headers: { 'X-Auth-Token': token } })).json()) as { floatingips: unknown[] }
      assert.equal(fips.floatingips.length, 1, 'state survives the restart')
    } finally {
      await cloud?.stop()
      await t.close()
    }
  })
})
