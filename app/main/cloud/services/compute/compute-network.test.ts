import { after, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { AuthContext } from '../../platform/auth-context'
import { Database } from '../../platform/db/database'
import { migrate } from '../../platform/db/migrations'
import { BadRequest } from '../../platform/errors'
import { Logger } from '../../platform/log'
import { FakeDriver } from '../../drivers/hypervisor/fake/fake-driver'
import type { GuestSpec } from '../../drivers/hypervisor/hypervisor-driver'
import type { ImageClient, ImageInfo, NetworkClient, NetworkInfo, PortInfo, SubnetInfo } from '../clients'
import { ComputeManager, type CreateServerRequest } from './compute-manager'
import { ComputeRepository } from './compute-repository'
import type { SecurityGroupInfo, SecurityGroupLookup } from './instance-network'
import { COMPUTE_MIGRATIONS } from './migrations'
import type { Instance } from './models'

const ctxOf = (projectId: string, roles = ['member', 'reader']): AuthContext =>
  ({ userId: `u-${projectId}`, userName: 'u', userDomainId: 'default', userDomainName: 'Default', projectId, roles, roleRefs: [], methods: ['password'], expiresAt: new Date(Date.now() + 3600_000), issuedAt: new Date(), auditIds: [] }) as AuthContext

/**
 * A network service in memory that records what compute asks of it (clients.NetworkClient, plus the optional
 * security group lookup). Visibility: a project sees its own and shared networks, its own ports.
 */
class StubNetwork implements NetworkClient, SecurityGroupLookup {
  readonly ports = new Map<string, PortInfo>()
  readonly networks = new Map<string, NetworkInfo>()
  readonly subnets = new Map<string, SubnetInfo>()
  readonly floating = new Map<string, string[]>()
  readonly groups = new Map<string, SecurityGroupInfo>()
  readonly calls: { method: string; args: unknown[] }[] = []
  auto: NetworkInfo | 'ambiguous' | undefined
  dataPlane = true
  metadataHandler: unknown
  private ip = 10

  constructor() {
    this.addGroup('p1', 'default')
  }

  addNetwork(projectId: string, name: string, extra: Partial<NetworkInfo> = {}): NetworkInfo {
    const id = randomUUID()
    const sub: SubnetInfo = { id: randomUUID(), network_id: id, cidr: '10.0.0.0/26', ip_version: 4, gateway_ip: '10.0.0.1', dns_nameservers: ['10.0.0.2'], host_routes: [{ destination: '192.168.7.0/24', nexthop: '10.0.0.3' }], enable_dhcp: true }
    this.subnets.set(sub.id, sub)
    const net: NetworkInfo = { id, name, project_id: projectId, shared: false, 'router:external': false, mtu: 1442, subnets: [sub.id], ...extra }
    this.networks.set(id, net)
    return net
  }
  addGroup(projectId: string, name: string): SecurityGroupInfo {
    const g: SecurityGroupInfo = { id: randomUUID(), name, description: `${name} group`, project_id: projectId, rules: [] }
    this.groups.set(g.id, g)
    return g
  }
  userPort(projectId: string, networkId: string): PortInfo {
    const p = this.newPort(projectId, networkId)
    this.ports.set(p.id, p)
    return p
  }
  private newPort(projectId: string, networkId: string, ip?: string): PortInfo {
    const net = this.networks.get(networkId)!
    return {
      id: randomUUID(),
      project_id: projectId,
      network_id: networkId,
      mac_address: `fa:16:3e:00:00:${(this.ip).toString(16).padStart(2, '0')}`,
      fixed_ips: [{ subnet_id: net.subnets[0]!, ip_address: ip ?? `10.0.0.${this.ip++}` }],
      device_id: '',
      device_owner: '',
      status: 'DOWN',
      'binding:host_id': '',
      port_security_enabled: true,
      security_groups: [this.defaultGroup(projectId)],
    }
  }
  private defaultGroup(projectId: string): string {
    return [...this.groups.values()].find((g) => g.project_id === projectId && g.name === 'default')?.id ?? ''
  }
  private rec(method: string, ...args: unknown[]) {
    this.calls.push({ method, args })
  }
  callsOf(method: string) {
    return this.calls.filter((c) => c.method === method)
  }

  async createPort(ctx: AuthContext, fields: Parameters<NetworkClient['createPort']>[1]): Promise<PortInfo> {
    this.rec('createPort', ctx.projectId, fields)
    const net = this.networks.get(fields.network_id)
    if (!net) throw new BadRequest(`Network ${fields.network_id} could not be found.`)
    const p = this.newPort(ctx.projectId!, fields.network_id, fields.fixed_ips?.[0]?.ip_address)
    Object.assign(p, { device_id: fields.device_id ?? '', device_owner: fields.device_owner ?? '', 'binding:host_id': fields['binding:host_id'] ?? '' })
    if (fields.security_groups) p.security_groups = [...fields.security_groups]
    this.ports.set(p.id, p)
    return { ...p }
  }
  async updatePort(portId: string, fields: Record<string, unknown>): Promise<PortInfo> {
    this.rec('updatePort', portId, fields)
    const p = this.ports.get(portId)
    if (!p) throw new Error(`port ${portId} is gone`)
    Object.assign(p, fields)
    return { ...p }
  }
  async deletePort(portId: string): Promise<void> {
    this.rec('deletePort', portId)
    this.ports.delete(portId)
  }
  async portsOfDevice(deviceId: string): Promise<PortInfo[]> {
    return [...this.ports.values()].filter((p) => p.device_id === deviceId).map((p) => ({ ...p }))
  }
  async getPort(ctx: AuthContext, portId: string): Promise<PortInfo | undefined> {
    const p = this.ports.get(portId)
    return p && p.project_id === ctx.projectId ? { ...p } : undefined
  }
  async getNetwork(ctx: AuthContext, networkId: string): Promise<NetworkInfo | undefined> {
    const n = this.networks.get(networkId)
    return n && (n.project_id === ctx.projectId || n.shared || n['router:external']) ? n : undefined
  }
  async networksById(ids: string[]) {
    this.rec('networksById', ids)
    return new Map(ids.flatMap((id) => (this.networks.has(id) ? [[id, this.networks.get(id)!] as const] : [])))
  }
  async subnetsById(ids: string[]) {
    return new Map(ids.flatMap((id) => (this.subnets.has(id) ? [[id, this.subnets.get(id)!] as const] : [])))
  }
  async autoNetwork() {
    return this.auto
  }
  async securityGroupIds(ctx: AuthContext, namesOrIds: string[]): Promise<string[]> {
    return namesOrIds.map((x) => {
      const g = [...this.groups.values()].find((g) => g.project_id === ctx.projectId && (g.id === x || g.name === x))
      if (!g) throw new BadRequest(`Security group ${x} not found for project ${ctx.projectId}.`)
      return g.id
    })
  }
  async securityGroupsById(ids: string[]) {
    return new Map(ids.flatMap((id) => (this.groups.has(id) ? [[id, this.groups.get(id)!] as const] : [])))
  }
  async floatingIpsOfPorts(portIds: string[]) {
    this.rec('floatingIpsOfPorts', portIds)
    return new Map(portIds.flatMap((id) => (this.floating.has(id) ? [[id, this.floating.get(id)!] as const] : [])))
  }
  nicBackend(portId: string) {
    return this.dataPlane ? { type: 'stream' as const, path: `/run/stk/p-${portId.slice(0, 8)}.sock` } : { type: 'none' as const }
  }
  setMetadataHandler(handler: unknown) {
    this.metadataHandler = handler
  }
}

describe('compute on Neutron ports (stub network service, fake hypervisor)', () => {
  let dir: string
  let db: Database
  let repo: ComputeRepository
  let driver: FakeDriver
  let net: StubNetwork
  let manager: ComputeManager
  let image: ImageInfo
  const p1 = ctxOf('p1')
  const flavor = { id: '42', name: 'm1.nano', vcpus: 1, ram: 64, disk: 0, ephemeral: 0, swap: 0, rxtx_factor: 1, is_public: true, description: null, extra_specs: {} }

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stk-compute-net-'))
    db = await Database.open(path.join(dir, 'test.db'))
    await migrate(db, COMPUTE_MIGRATIONS)
    repo = new ComputeRepository(db)
    writeFileSync(path.join(dir, 'base.img'), 'x')
    image = { id: randomUUID(), name: 'base', status: 'active', owner: 'p1', disk_format: 'raw', min_disk: 0, min_ram: 0, size: 1, virtual_size: 1, properties: {}, file: path.join(dir, 'base.img') }
  })
  after(async () => {
    await manager?.stop()
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })
  beforeEach(async () => {
    if (manager) await manager.stop()
    net = new StubNetwork()
    driver = new FakeDriver({ dataDir: path.join(dir, randomUUID()) })
    const images = { get: async () => image, hold: async () => undefined, release: async () => undefined } as unknown as ImageClient
    manager = new ComputeManager(repo, driver, images, () => net, dir, new Logger(undefined), 'keep')
    manager.start()
    await manager.ready
  })

  const request = (over: Partial<CreateServerRequest> = {}): CreateServerRequest => ({
    name: 'Web One',
    image,
    flavor,
    keyName: null,
    keyData: null,
    userData: null,
    metadata: {},
    configDrive: true,
    networks: 'auto',
    availabilityZone: 'nova',
    count: 1,
    ...over,
  })
  const boot = async (ctx: AuthContext, over: Partial<CreateServerRequest> = {}) => {
    const created = await manager.create(ctx, request(over), `req-${randomUUID()}`)
    await manager.idle()
    return Promise.all(created.map(async (i) => (await repo.instance(i.id))!))
  }
  const spec = (id: string): GuestSpec => driver.host.guests.get(id)!.spec
  const remove = async (inst: Instance) => {
    await manager.delete(p1, inst, `req-${randomUUID()}`)
    await manager.idle()
  }

  it('gives each instance its own new port, bound to it, and plugs the NIC into the switch socket (QEMU serves)', async () => {
    const n = net.addNetwork('p1', 'private')
    const web = net.addGroup('p1', 'web')
    const [a, b] = await boot(p1, { networks: [{ uuid: n.id }], count: 2, securityGroups: ['web', 'default'] })
    assert.equal(a!.vm_state, 'active')
    assert.equal(b!.vm_state, 'active')
    const creates = net.callsOf('createPort')
    assert.equal(creates.length, 2)
    const hostname = os.hostname()
    for (const [i, inst] of [a!, b!].entries()) {
      const fields = creates.find((c) => (c.args[1] as { device_id: string }).device_id === inst.id)!.args[1]
      assert.deepEqual(fields, {
        network_id: n.id,
        device_id: inst.id,
        device_owner: 'compute:nova',
        security_groups: [web.id, [...net.groups.values()].find((g) => g.name === 'default')!.id],
        name: '',
        dns_name: `web-one-${i + 1}`,
        'binding:host_id': hostname,
      })
      const [port] = await net.portsOfDevice(inst.id)
      assert.deepEqual(spec(inst.id).nics, [{ mac: port!.mac_address, backend: { type: 'stream', socketPath: `/run/stk/p-${port!.id.slice(0, 8)}.sock`, server: true } }])
      assert.deepEqual(await repo.instancePorts([inst.id]), [{ instance_id: inst.id, port_id: port!.id, position: 0, network_id: n.id, mac_address: port!.mac_address, preserve_on_delete: false }])
    }
    await remove(a!)
    await remove(b!)
    assert.equal(net.ports.size, 0, 'the ports compute made are deleted with the instances')
    assert.deepEqual(await repo.instancePorts(), [])
  })

  it('binds a port the user passed in, and on delete only unbinds it (preserve_on_delete)', async () => {
    const n = net.addNetwork('p1', 'private')
    const mine = net.userPort('p1', n.id)
    const [inst] = await boot(p1, { networks: [{ port: mine.id }, { uuid: n.id, fixed_ip: '10.0.0.40' }], securityGroups: ['default'] })
    assert.equal(inst!.vm_state, 'active')
    const bind = net.callsOf('updatePort')[0]!
    assert.deepEqual(bind.args, [mine.id, { device_id: inst!.id, device_owner: 'compute:nova', 'binding:host_id': os.hostname() }])
    const created = (net.callsOf('createPort')[0]!.args[1]) as Record<string, unknown>
    assert.deepEqual(created.fixed_ips, [{ ip_address: '10.0.0.40' }])
    assert.deepEqual(spec(inst!.id).nics.map((x) => x.mac), [mine.mac_address, [...net.ports.values()].find((p) => p.id !== mine.id)!.mac_address], 'NIC order = request order')
    await remove(inst!)
    assert.deepEqual([...net.ports.keys()], [mine.id], 'the created port went, the user port stayed')
    const kept = net.ports.get(mine.id)!
    assert.deepEqual([kept.device_id, kept.device_owner, kept['binding:host_id']], ['', '', ''])
    assert.equal(net.callsOf('deletePort').some((c) => c.args[0] === mine.id), false)
  })

  it('a failed build deletes the ports it made and unbinds the user\'s, then lands in ERROR', async () => {
    const n = net.addNetwork('p1', 'private')
    const mine = net.userPort('p1', n.id)
    driver.failNext('spawn')
    const [inst] = await boot(p1, { networks: [{ uuid: n.id }, { port: mine.id }] })
    assert.equal(inst!.vm_state, 'error')
    assert.match(inst!.fault!.message, /fake spawn failure/)
    assert.deepEqual([...net.ports.keys()], [mine.id])
    assert.equal(net.ports.get(mine.id)!.device_id, '')
    assert.deepEqual(await repo.instancePorts([inst!.id]), [])
    await remove(inst!)
  })

  it('a port the network service cannot make (no address left) fails the build with its reason', async () => {
    const n = net.addNetwork('p1', 'private')
    const orig = net.createPort.bind(net)
    let first = true
    net.createPort = async (ctx, fields) => {
      if (!first) throw Object.assign(new Error('No more IP addresses available on network'), { status: 409 })
      first = false
      return orig(ctx, fields)
    }
    const [inst] = await boot(p1, { networks: [{ uuid: n.id }, { uuid: n.id }] })
    assert.equal(inst!.vm_state, 'error')
    assert.match(inst!.fault!.message, /No more IP addresses/)
    assert.equal(net.ports.size, 0, 'the first port, made before the failure, is gone too')
    await remove(inst!)
  })

  it('refuses what Nova refuses, before anything is recorded', async () => {
    const n = net.addNetwork('p1', 'private')
    const foreign = net.addNetwork('p2', 'theirs')
    const ext = net.addNetwork('admin', 'public', { 'router:external': true })
    const bare = net.addNetwork('p1', 'bare', { subnets: [] })
    const mine = net.userPort('p1', n.id)
    const theirs = net.userPort('p2', foreign.id)
    const used = net.userPort('p1', n.id)
    used.device_id = randomUUID()
    const fails = async (over: Partial<CreateServerRequest>, status: number, re: RegExp, ctx = p1) => {
      const before = (await repo.instances()).length
      await assert.rejects(manager.create(ctx, request(over), 'r'), (e: Error & { status: number }) => {
        assert.equal(e.status, status, e.message)
        assert.match(e.message, re)
        return true
      })
      assert.equal((await repo.instances()).length, before)
    }
    net.auto = 'ambiguous'
    await fails({ networks: 'auto' }, 409, /^Multiple possible networks found, use a Network ID to be more specific\.$/)
    net.auto = undefined
    await fails({ networks: 'auto' }, 400, /No network is available.*--nic none/)
    await fails({ networks: [{ uuid: foreign.id }] }, 400, new RegExp(`^Network ${foreign.id} could not be found\\.$`))
    await fails({ networks: [{ uuid: ext.id }] }, 403, /not allowed to create an interface on external network/)
    await fails({ networks: [{ uuid: bare.id }] }, 400, /requires a subnet/)
    await fails({ networks: [{ port: theirs.id }] }, 400, new RegExp(`^Port id ${theirs.id} could not be found\\.$`))
    await fails({ networks: [{ port: used.id }] }, 409, new RegExp(`^Port ${used.id} is still in use\\.$`))
    await fails({ networks: [{ port: mine.id }, { port: mine.id }] }, 409, /still in use/)
    await fails({ networks: [{ port: mine.id }], count: 2 }, 400, /multiple instances with a single configured port/)
    await fails({ networks: [{ uuid: n.id, fixed_ip: '10.0.0.9' }], count: 2 }, 400, /fixed_ip/)
    await fails({ networks: [{ uuid: foreign.id, port: mine.id }] }, 400, /is on network/)
    await fails({ networks: [{ uuid: n.id }], securityGroups: ['nope'] }, 400, /Security group nope not found/)
    assert.equal(net.callsOf('createPort').length + net.callsOf('updatePort').length, 0)
  })

  it("'auto' takes the project's one network", async () => {
    const n = net.addNetwork('p1', 'private')
    net.auto = n
    const [inst] = await boot(p1, { networks: 'auto' })
    assert.deepEqual(inst!.networks, [{ network_id: n.id }])
    assert.equal((await net.portsOfDevice(inst!.id)).length, 1)
    await remove(inst!)
  })

  it('shows addresses per network name, live: a floating IP associated later appears; list reads in one batch', async () => {
    const a = net.addNetwork('p1', 'private')
    const b = net.addNetwork('p1', 'backend')
    const [one] = await boot(p1, { networks: [{ uuid: a.id }, { uuid: b.id }] })
    const [two] = await boot(p1, { networks: [{ uuid: a.id }] })
    const [pa, pb] = (await repo.instancePorts([one!.id])).map((r) => net.ports.get(r.port_id)!)
    let views = await manager.networkViews([one!])
    assert.deepEqual(views.get(one!.id)!.addresses, {
      private: [{ version: 4, addr: pa!.fixed_ips[0]!.ip_address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': pa!.mac_address }],
      backend: [{ version: 4, addr: pb!.fixed_ips[0]!.ip_address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': pb!.mac_address }],
    })
    assert.deepEqual(views.get(one!.id)!.securityGroups, [{ name: 'default' }])
    net.floating.set(pa!.id, ['172.24.4.10'])
    net.calls.length = 0
    views = await manager.networkViews([one!, two!])
    assert.deepEqual(views.get(one!.id)!.addresses.private!.map((x) => [x.addr, x['OS-EXT-IPS:type']]), [
      [pa!.fixed_ips[0]!.ip_address, 'fixed'],
      ['172.24.4.10', 'floating'],
    ])
    assert.equal(views.get(two!.id)!.addresses.private!.length, 1)
    assert.equal(net.callsOf('networksById').length, 1, 'one networks call for the whole list')
    assert.equal(net.callsOf('floatingIpsOfPorts').length, 1, 'one floating IP call for the whole list')
    await remove(one!)
    await remove(two!)
  })

  it('writes network_data.json of the real ports onto the config drive, as Nova does', async () => {
    const n = net.addNetwork('p1', 'private')
    const [inst] = await boot(p1, { networks: [{ uuid: n.id }] })
    const [port] = await net.portsOfDevice(inst!.id)
    const files = spec(inst!.id).configDrive!
    const nd = JSON.parse(String(files['openstack/latest/network_data.json']))
    const link = `tap${port!.id.slice(0, 11)}`
    assert.deepEqual(nd, {
      links: [{ id: link, vif_id: port!.id, type: 'phy', mtu: 1442, ethernet_mac_address: port!.mac_address }],
      networks: [
        {
          id: 'network0',
          type: 'ipv4',
          link,
          ip_address: port!.fixed_ips[0]!.ip_address,
          netmask: '255.255.255.192',
          routes: [
            { network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.0.0.1' },
            { network: '192.168.7.0', netmask: '255.255.255.0', gateway: '10.0.0.3' },
          ],
          network_id: n.id,
          services: [{ type: 'dns', address: '10.0.0.2' }],
        },
      ],
      services: [{ type: 'dns', address: '10.0.0.2' }],
    })
    const md = JSON.parse(String(files['openstack/latest/meta_data.json']))
    assert.equal(md.uuid, inst!.id)
    assert.equal(md.hostname, 'web-one')
    await remove(inst!)
  })

  it('rebuild and a HARD reboot keep the ports: same MAC, same socket', async () => {
    const n = net.addNetwork('p1', 'private')
    const [inst] = await boot(p1, { networks: [{ uuid: n.id }] })
    const nics = spec(inst!.id).nics
    await manager.action(p1, inst!, 'rebuild', 'r-rebuild', (i) => manager.rebuildGuest(i, image, {}))
    await manager.idle()
    assert.deepEqual(spec(inst!.id).nics, nics)
    await manager.action(p1, (await repo.instance(inst!.id))!, 'reboot-HARD', 'r-reboot', async (i) => {
      await driver.reboot(i.id, 'HARD')
      return { vm_state: 'active' }
    })
    await manager.idle()
    assert.deepEqual(spec(inst!.id).nics, nics)
    assert.equal(net.callsOf('createPort').length, 1)
    assert.equal(net.callsOf('deletePort').length, 0)
    await remove(inst!)
  })

  it('adds and removes security groups on every port of the server; 404 for a group it does not have', async () => {
    const n = net.addNetwork('p1', 'private')
    const web = net.addGroup('p1', 'web')
    const mine = net.userPort('p1', n.id)
    const [inst] = await boot(p1, { networks: [{ uuid: n.id }, { port: mine.id }] })
    await manager.changeSecurityGroup(p1, inst!, 'web', 'add')
    for (const p of await net.portsOfDevice(inst!.id)) assert.ok(p.security_groups.includes(web.id), 'on every port, the user port too')
    assert.deepEqual((await manager.securityGroups(inst!)).map((g) => g.name).sort(), ['default', 'web'])
    assert.deepEqual((await manager.networkViews([inst!])).get(inst!.id)!.securityGroups, [{ name: 'default' }, { name: 'web' }])
    await manager.changeSecurityGroup(p1, inst!, web.id, 'remove')
    for (const p of await net.portsOfDevice(inst!.id)) assert.ok(!p.security_groups.includes(web.id))
    await assert.rejects(manager.changeSecurityGroup(p1, inst!, 'web', 'remove'), (e: Error & { status: number }) => e.status === 404 && /not associated/.test(e.message))
    await assert.rejects(manager.changeSecurityGroup(p1, inst!, 'nope', 'add'), (e: Error & { status: number }) => e.status === 404 && /Security group nope not found/.test(e.message))
    await remove(inst!)
  })

  it('finds the instance behind a port for the metadata service, and nobody behind an unknown or unbound port', async () => {
    const n = net.addNetwork('p1', 'private')
    const [inst] = await boot(p1, { networks: [{ uuid: n.id }, { uuid: n.id }] })
    const [, second] = await repo.instancePorts([inst!.id])
    const found = await manager.metadataForPort(second!.port_id)
    assert.equal(found!.input.instance.id, inst!.id)
    assert.equal(found!.nicIndex, 1)
    assert.equal(await manager.metadataForPort(randomUUID()), undefined)
    net.ports.get(second!.port_id)!.device_id = 'someone-else'
    assert.equal(await manager.metadataForPort(second!.port_id), undefined, 'the port no longer speaks for the instance')
    net.ports.get(second!.port_id)!.device_id = inst!.id
    await remove(inst!)
  })

  it('without a data plane (noop network driver): auto stays user-mode NAT; ports get user-mode NICs that use DHCP', async () => {
    net.dataPlane = false
    const n = net.addNetwork('p1', 'private')
    net.auto = n
    const [legacy] = await boot(p1, { networks: 'auto' })
    assert.equal(legacy!.networks, 'auto')
    assert.deepEqual(legacy!.addresses['user-net']!.map((a) => a.addr), ['10.0.2.15'])
    assert.deepEqual(spec(legacy!.id).nics.map((x) => x.backend), [{ type: 'user' }])
    assert.equal(net.callsOf('createPort').length, 0)
    const [ported] = await boot(p1, { networks: [{ uuid: n.id }] })
    const [port] = await net.portsOfDevice(ported!.id)
    assert.deepEqual(spec(ported!.id).nics, [{ mac: port!.mac_address, backend: { type: 'user' } }])
    const nd = JSON.parse(String(spec(ported!.id).configDrive!['openstack/latest/network_data.json']))
    assert.equal(nd.networks[0].type, 'ipv4_dhcp')
    const [none] = await boot(p1, { networks: 'none' })
    assert.deepEqual(spec(none!.id).nics, [])
    assert.deepEqual((await manager.networkViews([none!])).get(none!.id), { addresses: {} })
    for (const i of [legacy!, ported!, none!]) await remove(i)
    assert.equal(net.ports.size, 0)
  })

  it('deleting an instance whose ports were removed in Neutron meanwhile is fine', async () => {
    const n = net.addNetwork('p1', 'private')
    const [inst] = await boot(p1, { networks: [{ uuid: n.id }] })
    net.ports.clear()
    await remove(inst!)
    assert.equal(await repo.instance(inst!.id), undefined)
    assert.deepEqual(await repo.instancePorts([inst!.id]), [])
  })
})
