import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { startInProcessCloud, type TestCloud } from '../../testing/test-cloud'
import { passwordLogin } from '../../testing/password-login'

const N = '/networking/v2.0'

/** A port nothing on this computer listens on right now (the kernel's pick: above 1024). */
async function freeHostPort(): Promise<number> {
  const srv = net.createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

describe('floating IP host forwards, port forwardings, reserved uplink address, dns_name (API)', () => {
  let t: TestCloud
  let admin: string
  let demo: string
  let other: string
  let reader: string
  let publicNet: any
  let priv: any
  let router1: any

  const call = (method: string, path: string, token: string, body?: unknown) => t.call(method, `${N}${path}`, { token, body })
  const ok = async (method: string, path: string, token: string, body?: unknown, status = method === 'POST' ? 201 : 200) => {
    const r = await call(method, path, token, body)
    assert.equal(r.status, status, `${method} ${path}: ${r.text}`)
    return r.body
  }
  const fault = async (method: string, path: string, token: string, body: unknown, status: number) => {
    const r = await call(method, path, token, body)
    assert.equal(r.status, status, `${method} ${path}: ${r.text}`)
    return r.body.NeutronError as { type: string; message: string }
  }
  const vm = async (name: string, token = demo, networkId = priv.id) =>
    (await ok('POST', '/ports', token, { port: { network_id: networkId, name, device_owner: 'compute:nova', device_id: `vm-${name}` } })).port
  const newFip = async (token = demo, extra: Record<string, unknown> = {}) =>
    (await ok('POST', '/floatingips', token, { floatingip: { floating_network_id: publicNet.id, ...extra } })).floatingip
  const pfBody = (port: any, external: number, extra: Record<string, unknown> = {}) => ({
    port_forwarding: { protocol: 'tcp', internal_ip_address: port.fixed_ips[0].ip_address, internal_port: 22, internal_port_id: port.id, external_port: external, ...extra },
  })

  before(async () => {
    t = await startInProcessCloud({ hypervisor: 'fake' })
    admin = await t.login(t.admin.username, t.admin.password, 'admin')
    demo = await t.login(t.demo.username, t.demo.password, 'demo')
    const mkUser = async (name: string, project: { id?: string; name: string }, roleName: string) => {
      const projectId = project.id ?? (await t.call('POST', '/identity/v3/projects', { token: admin, body: { project: { name: project.name } } })).body.project.id
      const u = (await t.call('POST', '/identity/v3/users', { token: admin, body: { user: { name, password: 'pw' } } })).body.user
      const role = (await t.call('GET', `/identity/v3/roles?name=${roleName}`, { token: admin })).body.roles[0]
      await t.call('PUT', `/identity/v3/projects/${projectId}/users/${u.id}/roles/${role.id}`, { token: admin })
      return t.login(name, 'pw', project.name)
    }
    const demoProject = (await t.call('GET', '/identity/v3/auth/tokens', { token: demo, headers: { 'X-Subject-Token': demo } })).body.token.project.id
    other = await mkUser('pf-other', { name: 'pf-other' }, 'member')
    reader = await mkUser('pf-reader', { id: demoProject, name: 'demo' }, 'reader')
    publicNet = (await ok('GET', '/networks?name=public', admin)).networks[0]
    priv = (await ok('GET', '/networks?name=private', demo)).networks[0]
    router1 = (await ok('GET', '/routers?name=router1', demo)).routers[0]
  })
  after(() => t.close())

  it('lists the port forwarding and host forward extensions', async () => {
    const aliases = (await ok('GET', '/extensions', demo)).extensions.map((e: any) => e.alias)
    for (const a of ['floating-ip-port-forwarding', 'floating-ip-port-forwarding-description', 'expose-port-forwarding-in-fip', 'stackling-floating-ip-host-forwards']) {
      assert.ok(aliases.includes(a), a)
    }
    assert.ok(!aliases.includes('dns-integration'), 'dns_name is a plain attribute, not the whole extension')
    const ext = (await ok('GET', '/extensions/stackling-floating-ip-host-forwards', demo)).extension
    assert.match(ext.description, /127\.0\.0\.1/)
  })

  it('gives an associated floating IP host ports for ssh and http, keeps them while associated, frees them', async () => {
    const a = await vm('hf-a')
    const b = await vm('hf-b')
    const fip = await newFip()
    assert.deepEqual(fip.host_forwards, [])
    assert.deepEqual(fip.port_forwardings, [])
    const assoc = (await ok('PUT', `/floatingips/${fip.id}`, demo, { floatingip: { port_id: a.id } })).floatingip
    assert.deepEqual(assoc.host_forwards.map((h: any) => `${h.protocol}/${h.internal_port}`), ['tcp/22', 'tcp/80'])
    const ports = assoc.host_forwards.map((h: any) => h.host_port)
    for (const p of ports) assert.ok(p >= 40000 && p <= 40999, String(p))
    assert.notEqual(ports[0], ports[1])
    assert.deepEqual((await ok('GET', `/floatingips/${fip.id}`, demo)).floatingip.host_forwards, assoc.host_forwards)
    assert.deepEqual((await ok('GET', `/floatingips?id=${fip.id}`, demo)).floatingips[0].host_forwards, assoc.host_forwards)
    // Moving the floating IP to another port keeps its host ports.
    const moved = (await ok('PUT', `/floatingips/${fip.id}`, demo, { floatingip: { port_id: b.id } })).floatingip
    assert.deepEqual(moved.host_forwards, assoc.host_forwards)
    // Another floating IP, created associated, gets other ports.
    const fip2 = await newFip(demo, { port_id: a.id })
    const ports2 = fip2.host_forwards.map((h: any) => h.host_port)
    assert.equal(ports2.length, 2)
    assert.ok(!ports2.some((p: number) => ports.includes(p)), 'no host port twice')
    const off = (await ok('PUT', `/floatingips/${fip.id}`, demo, { floatingip: { port_id: null } })).floatingip
    assert.deepEqual(off.host_forwards, [])
    // Deleting the associated port disassociates and frees.
    await ok('DELETE', `/ports/${a.id}`, demo, undefined, 204)
    assert.deepEqual((await ok('GET', `/floatingips/${fip2.id}`, demo)).floatingip.host_forwards, [])
    for (const f of [fip, fip2]) await ok('DELETE', `/floatingips/${f.id}`, demo, undefined, 204)
    await ok('DELETE', `/ports/${b.id}`, demo, undefined, 204)
  })

  it('creates, lists, shows, updates and deletes port forwardings; the floating IP takes the router meanwhile', async () => {
    const port = await vm('pf-crud')
    const fip = await newFip()
    const external = await freeHostPort()
    const created = (await ok('POST', `/floatingips/${fip.id}/port_forwardings`, demo, pfBody(port, external))).port_forwarding
    assert.deepEqual(Object.keys(created).sort(), ['description', 'external_port', 'id', 'internal_ip_address', 'internal_port', 'internal_port_id', 'protocol'])
    assert.equal(created.external_port, external)
    assert.equal(created.internal_ip_address, port.fixed_ips[0].ip_address)
    assert.equal(created.description, '')
    const withPf = (await ok('GET', `/floatingips/${fip.id}`, demo)).floatingip
    assert.equal(withPf.router_id, router1.id)
    assert.equal(withPf.status, 'ACTIVE')
    assert.equal(withPf.port_id, null)
    assert.deepEqual(withPf.port_forwardings, [{ protocol: 'tcp', internal_ip_address: port.fixed_ips[0].ip_address, internal_port: 22, external_port: external }])
    assert.deepEqual(withPf.host_forwards, [])
    const base = `/floatingips/${fip.id}/port_forwardings`
    assert.equal((await ok('GET', base, demo)).port_forwardings.length, 1)
    assert.equal((await ok('GET', `${base}?protocol=udp`, demo)).port_forwardings.length, 0)
    assert.equal((await ok('GET', `${base}?internal_port_id=${port.id}`, demo)).port_forwardings.length, 1)
    assert.equal((await ok('GET', `${base}?external_port=${external}`, demo)).port_forwardings.length, 1)
    assert.deepEqual(Object.keys((await ok('GET', `${base}?fields=id`, demo)).port_forwardings[0]), ['id'])
    assert.deepEqual((await ok('GET', `${base}/${created.id}`, demo)).port_forwarding, created)
    assert.deepEqual((await ok('GET', `${base}/${created.id}`, reader)).port_forwarding, created, 'a reader reads')
    const updated = (await ok('PUT', `${base}/${created.id}`, demo, { port_forwarding: { description: 'ssh', internal_port: 2022 } })).port_forwarding
    assert.equal(updated.description, 'ssh')
    assert.equal(updated.internal_port, 2022)
    assert.equal(updated.external_port, external)
    const udp = (await ok('POST', base, demo, pfBody(port, external, { protocol: 'UDP', internal_port: 53 }))).port_forwarding
    assert.equal(udp.protocol, 'udp', 'the same host port number is free for another protocol')
    await ok('DELETE', `${base}/${udp.id}`, demo, undefined, 204)
    await ok('DELETE', `${base}/${created.id}`, demo, undefined, 204)
    assert.equal((await call('GET', `${base}/${created.id}`, demo)).status, 404)
    const freed = (await ok('GET', `/floatingips/${fip.id}`, demo)).floatingip
    assert.equal(freed.router_id, null)
    assert.equal(freed.status, 'DOWN')
    assert.deepEqual(freed.port_forwardings, [])
    await ok('DELETE', `/floatingips/${fip.id}`, demo, undefined, 204)
    await ok('DELETE', `/ports/${port.id}`, demo, undefined, 204)
  })

  it('refuses port forwardings the way Neutron does, and external ports this computer cannot give', async () => {
    const port = await vm('pf-bad')
    const fip = await newFip()
    const base = `/floatingips/${fip.id}/port_forwardings`
    const external = await freeHostPort()
    const bad = async (body: unknown, status: number, type?: string, message?: RegExp) => {
      const e = await fault('POST', base, demo, body, status)
      if (type) assert.equal(e.type, type, e.message)
      if (message) assert.match(e.message, message)
      return e
    }
    await bad(pfBody(port, 80), 400, undefined, /ports below 1024 need root/)
    await bad(pfBody(port, 70000), 400, undefined, /external_port/)
    await bad(pfBody(port, external, { internal_port: 0 }), 400, undefined, /internal_port/)
    await bad(pfBody(port, external, { protocol: 'sctp' }), 400, undefined, /protocol/)
    await bad(pfBody(port, external, { internal_port_range: '22:23' }), 400, undefined, /internal_port_range/)
    await bad(pfBody(port, external, { bogus: 1 }), 400, undefined, /bogus/)
    await bad({ port_forwarding: { protocol: 'tcp', internal_port: 22, internal_port_id: port.id } }, 400, undefined, /external_port/)
    await bad(pfBody(port, external, { internal_ip_address: '10.0.0.60' }), 400, undefined, /not suitable for internal neutron port/)
    await bad(pfBody({ ...port, id: '00000000-0000-0000-0000-000000000000' }, external), 404, 'PortNotFound')
    const foreign = (await ok('POST', '/networks', other, { network: { name: 'pf-foreign' } })).network
    await ok('POST', '/subnets', other, { subnet: { network_id: foreign.id, cidr: '10.61.0.0/24', ip_version: 4 } })
    await bad(pfBody(await vm('pf-foreign', other, foreign.id), external), 404, 'PortNotFound')
    // A port on a network no router joins to the external network.
    const lone = (await ok('POST', '/networks', demo, { network: { name: 'pf-lone' } })).network
    await ok('POST', '/subnets', demo, { subnet: { network_id: lone.id, cidr: '10.62.0.0/24', ip_version: 4 } })
    await bad(pfBody(await vm('pf-lone', demo, lone.id), external), 400, undefined, /is not reachable from subnet/)
    // Held by another program on this computer.
    const holder = net.createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    try {
      await bad(pfBody(port, (holder.address() as net.AddressInfo).port), 409, 'HostPortInUse', /in use on this computer/)
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()))
    }
    // Policy: another project does not see the floating IP; a reader may not write.
    assert.equal((await call('GET', base, other)).status, 404)
    assert.equal((await call('POST', base, other, pfBody(port, external))).status, 404)
    assert.equal((await call('POST', base, reader, pfBody(port, external))).status, 403)
    // Duplicates: the host port (any floating IP), the internal socket.
    const first = (await ok('POST', base, demo, pfBody(port, external))).port_forwarding
    await bad(pfBody(port, external, { internal_port: 23 }), 409, 'HostPortInUse', /already used by port forwarding/)
    const fip2 = await newFip()
    const e = await fault('POST', `/floatingips/${fip2.id}/port_forwardings`, demo, pfBody(port, external, { internal_port: 24 }), 409)
    assert.match(e.message, /shared by all floating IPs/)
    await bad(pfBody(port, await freeHostPort()), 400, undefined, /duplicate port forwarding entry/)
    assert.equal((await call('GET', `/floatingips/${fip2.id}/port_forwardings/${first.id}`, demo)).body.NeutronError.type, 'PortForwardingNotFound')
    // A floating IP has either port forwardings or an associated port.
    const other2 = await vm('pf-assoc')
    const inUse = await fault('PUT', `/floatingips/${fip.id}`, demo, { floatingip: { port_id: other2.id } }, 409)
    assert.equal(inUse.type, 'FipInUseByPortForwarding')
    const assoc = (await ok('PUT', `/floatingips/${fip2.id}`, demo, { floatingip: { port_id: other2.id } })).floatingip
    const onAssociated = await fault('POST', `/floatingips/${fip2.id}/port_forwardings`, demo, pfBody(port, await freeHostPort(), { internal_port: 25 }), 409)
    assert.equal(onAssociated.type, 'FloatingIPPortAlreadyAssociated')
    // The external port may not be a host forward's.
    await bad(pfBody(port, assoc.host_forwards[0].host_port, { internal_port: 26 }), 409, 'HostPortInUse', /host forward/)
    // A port that has a floating IP of its own.
    await bad(pfBody(other2, await freeHostPort()), 409, 'PortHasBindingFloatingIP')
    // The router interface is held by the port forwarding.
    const privSub = (await ok('GET', '/subnets?name=private-subnet', demo)).subnets[0]
    assert.equal((await call('PUT', `/routers/${router1.id}/remove_router_interface`, demo, { subnet_id: privSub.id })).status, 409)
    for (const f of [fip, fip2]) await ok('DELETE', `/floatingips/${f.id}`, demo, undefined, 204)
    for (const p of [port, other2]) await ok('DELETE', `/ports/${p.id}`, demo, undefined, 204)
  })

  it('drops port forwardings with their port, their address or their floating IP, and frees the host port', async () => {
    const port = await vm('pf-cascade')
    const fip = await newFip()
    const external = await freeHostPort()
    await ok('POST', `/floatingips/${fip.id}/port_forwardings`, demo, pfBody(port, external))
    await ok('DELETE', `/ports/${port.id}`, demo, undefined, 204)
    const after1 = (await ok('GET', `/floatingips/${fip.id}`, demo)).floatingip
    assert.deepEqual(after1.port_forwardings, [])
    assert.equal(after1.router_id, null)
    // A new address for the port drops the forwarding to the old one.
    const port2 = await vm('pf-cascade2')
    await ok('POST', `/floatingips/${fip.id}/port_forwardings`, demo, pfBody(port2, external))
    const moved = (await ok('PUT', `/ports/${port2.id}`, demo, { port: { fixed_ips: [{ ip_address: '10.0.0.50' }] } })).port
    assert.equal((await ok('GET', `/floatingips/${fip.id}/port_forwardings`, demo)).port_forwardings.length, 0)
    await ok('POST', `/floatingips/${fip.id}/port_forwardings`, demo, pfBody(moved, await freeHostPort(), { internal_port: 80 }))
    await ok('DELETE', `/floatingips/${fip.id}`, demo, undefined, 204)
    // Its host port is free again.
    const fip2 = await newFip()
    await ok('POST', `/floatingips/${fip2.id}/port_forwardings`, demo, pfBody(moved, external, { internal_port: 8080 }))
    await ok('DELETE', `/floatingips/${fip2.id}`, demo, undefined, 204)
    await ok('DELETE', `/ports/${port2.id}`, demo, undefined, 204)
  })

  it('never hands out the last address of an external subnet (the host uplink’s)', async () => {
    const taken = await fault('POST', '/ports', admin, { port: { network_id: publicNet.id, fixed_ips: [{ ip_address: '172.24.4.254' }] } }, 409)
    assert.match(taken.message, /reserved.*uplink/)
    assert.equal((await call('POST', '/floatingips', admin, { floatingip: { floating_network_id: publicNet.id, floating_ip_address: '172.24.4.254' } })).status, 409)
    const ext = (await ok('POST', '/networks', admin, { network: { name: 'ext-small', 'router:external': true } })).network
    const sub = (await ok('POST', '/subnets', admin, { subnet: { network_id: ext.id, cidr: '192.0.2.0/29', ip_version: 4 } })).subnet
    assert.deepEqual(sub.allocation_pools, [{ start: '192.0.2.2', end: '192.0.2.5' }], 'default pools leave .6 out')
    const wide = (await ok('POST', '/subnets', admin, { subnet: { network_id: ext.id, cidr: '192.0.2.8/29', ip_version: 4, allocation_pools: [{ start: '192.0.2.10', end: '192.0.2.14' }] } })).subnet
    const ips: string[] = []
    for (;;) {
      const r = await call('POST', '/ports', admin, { port: { network_id: ext.id, fixed_ips: [{ subnet_id: wide.id }] } })
      if (r.status !== 201) {
        assert.equal(r.status, 409)
        break
      }
      ips.push(r.body.port.fixed_ips[0].ip_address)
    }
    assert.deepEqual(ips, ['192.0.2.10', '192.0.2.11', '192.0.2.12', '192.0.2.13'], 'an explicit pool holding .14 still never gives it')
    // A tenant network's last address is an address like any other.
    const n = (await ok('POST', '/networks', demo, { network: { name: 'tenant-small' } })).network
    await ok('POST', '/subnets', demo, { subnet: { network_id: n.id, cidr: '10.63.0.0/29', ip_version: 4 } })
    assert.equal((await ok('POST', '/ports', demo, { port: { network_id: n.id, fixed_ips: [{ ip_address: '10.63.0.6' }] } })).port.fixed_ips[0].ip_address, '10.63.0.6')
  })

  it('keeps dns_name on ports, checked as a host name', async () => {
    const p = (await ok('POST', '/ports', demo, { port: { network_id: priv.id, dns_name: 'web-1' } })).port
    assert.equal(p.dns_name, 'web-1')
    assert.equal((await ok('POST', '/ports', demo, { port: { network_id: priv.id } })).port.dns_name, '')
    for (const bad of ['web_1', '-web', 'a'.repeat(64), 'host.123']) {
      const e = await fault('POST', '/ports', demo, { port: { network_id: priv.id, dns_name: bad } }, 400)
      assert.match(e.message, /dns_name/)
    }
    assert.equal((await ok('PUT', `/ports/${p.id}`, demo, { port: { dns_name: 'web2.example.org.' } })).port.dns_name, 'web2.example.org.')
    assert.equal((await call('PUT', `/ports/${p.id}`, demo, { port: { dns_name: 'no way' } })).status, 400)
  })

  it('shows router ports DOWN while their router is down', async () => {
    const r = (await ok('POST', '/routers', demo, { router: { name: 'r-down', external_gateway_info: { network_id: publicNet.id } } })).router
    const n = (await ok('POST', '/networks', demo, { network: { name: 'r-down-net' } })).network
    const s = (await ok('POST', '/subnets', demo, { subnet: { network_id: n.id, cidr: '10.64.0.0/24', ip_version: 4 } })).subnet
    const add = await ok('PUT', `/routers/${r.id}/add_router_interface`, demo, { subnet_id: s.id })
    assert.equal((await ok('GET', `/ports/${add.port_id}`, demo)).port.status, 'ACTIVE')
    await ok('PUT', `/routers/${r.id}`, demo, { router: { admin_state_up: false } })
    assert.equal((await ok('GET', `/ports/${add.port_id}`, demo)).port.status, 'DOWN')
    const gw = (await ok('GET', `/ports?device_id=${r.id}&device_owner=network:router_gateway`, admin)).ports[0]
    assert.equal(gw.status, 'DOWN')
    await ok('PUT', `/routers/${r.id}`, demo, { router: { admin_state_up: true } })
    assert.equal((await ok('GET', `/ports/${add.port_id}`, demo)).port.status, 'ACTIVE')
  })
})

describe('floating IP host forwards across a restart', () => {
  it('keeps an associated floating IP’s host ports', async () => {
    const t = await startInProcessCloud({ hypervisor: 'fake' })
    const { startCloud } = await import('../../start-cloud')
    let cloud: Awaited<ReturnType<typeof startCloud>> | undefined
    try {
      const demo = await t.login(t.demo.username, t.demo.password, 'demo')
      const get = (token: string, p: string) => t.call('GET', `${N}${p}`, { token })
      const pub = (await get(demo, '/networks?name=public')).body.networks[0]
      const priv = (await get(demo, '/networks?name=private')).body.networks[0]
      const port = (await t.call('POST', `${N}/ports`, { token: demo, body: { port: { network_id: priv.id } } })).body.port
      const fip = (await t.call('POST', `${N}/floatingips`, { token: demo, body: { floatingip: { floating_network_id: pub.id, port_id: port.id } } })).body.floatingip
      assert.equal(fip.host_forwards.length, 2)
      await t.cloud.stop()
      cloud = await startCloud({ dataDir: t.dataDir, port: 0, config: { guestImageDir: undefined, hypervisor: 'fake' } })
      const token = await passwordLogin(cloud.url, t.demo.username, t.demo.password, 'demo')
      const again = (await (await fetch(`${cloud.url}${N}/floatingips/${fip.id}`, { headers: { 'X-Auth-Token': token } })).json()) as { floatingip: { host_forwards: unknown } }
      assert.deepEqual(again.floatingip.host_forwards, fip.host_forwards)
    } finally {
      await cloud?.stop()
      await t.close()
    }
  })
})
