import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AuthContext } from '../../platform/auth-context'
import { Database } from '../../platform/db/database'
import { migrate } from '../../platform/db/migrations'
import type { ApiError } from '../../platform/errors'
import type { Logger } from '../../platform/log'
import type { MetadataHandler, NetworkDriver, NicBackend, Topology } from '../../drivers/network/network-driver'
import { NETWORK_MIGRATIONS } from './migrations'
import { createNetworkClient } from './network-client'
import { NetworkManager, type Actor, type NetworkManagerOptions } from './network-manager'
import { NetworkRepository } from './network-repository'

/** A driver that records what the manager hands it; a sync can be held open (gate) or made to fail. */
class RecordingDriver implements NetworkDriver {
  readonly name = 'recording'
  calls: string[] = []
  syncs: Topology[] = []
  active = 0
  maxActive = 0
  gate: Promise<void> | undefined
  failNext = false
  connected = new Set<string>()
  listener: ((portId: string, connected: boolean) => void) | undefined
  metadata: MetadataHandler | undefined

  async start(): Promise<void> {
    this.calls.push('start')
  }
  async sync(topology: Topology): Promise<void> {
    this.calls.push('sync')
    this.active++
    this.maxActive = Math.max(this.maxActive, this.active)
    try {
      this.syncs.push(structuredClone(topology))
      if (this.gate) await this.gate
      if (this.failNext) {
        this.failNext = false
        throw new Error('switch on fire')
      }
    } finally {
      this.active--
    }
  }
  nicBackend(portId: string): NicBackend {
    return { type: 'stream', path: `/sockets/${portId}` }
  }
  portConnected(portId: string): boolean {
    return this.connected.has(portId)
  }
  onPortStatus(listener: (portId: string, connected: boolean) => void): void {
    this.listener = listener
  }
  setMetadataHandler(handler: MetadataHandler): void {
    this.metadata = handler
  }
  async stop(): Promise<void> {
    this.calls.push('stop')
  }
  /** A guest (dis)connects. */
  report(portId: string, connected: boolean): void {
    if (connected) this.connected.add(portId)
    else this.connected.delete(portId)
    this.listener?.(portId, connected)
  }
  get last(): Topology {
    return this.syncs[this.syncs.length - 1]!
  }
}

const ADMIN: Actor = { projectId: 'admin-p', admin: true }
const DEMO: Actor = { projectId: 'demo-p', admin: false }
const ctx = (projectId: string, roles = ['member', 'reader']) => ({ projectId, roles }) as unknown as AuthContext

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

describe('NetworkManager with a recording driver', () => {
  let dir: string
  let db: Database
  const errors: { msg: string; fields?: Record<string, unknown> }[] = []
  const log = { info() {}, debug() {}, warn() {}, error: (msg: string, fields?: Record<string, unknown>) => errors.push({ msg, fields }) } as unknown as Logger

  /** A fresh seeded manager on its own database, started (first sync done). */
  async function startManager(opts: NetworkManagerOptions = {}, driver = new RecordingDriver()) {
    const file = path.join(dir, `${Math.random().toString(36).slice(2)}.db`)
    const d = await Database.open(file)
    await migrate(d, NETWORK_MIGRATIONS)
    const manager = new NetworkManager(new NetworkRepository(d), driver, log, { syncDelayMs: 20, ...opts })
    await manager.seed('admin-p', 'demo-p')
    await manager.start()
    return { manager, driver, db: d, file }
  }

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-netmgr-'))
    db = await Database.open(path.join(dir, 'unused.db'))
  })
  after(async () => {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('starts the driver after seeding and hands it the whole topology at once', async () => {
    const { manager, driver, db: d } = await startManager()
    assert.deepEqual(driver.calls, ['start', 'sync'])
    const t = driver.last
    assert.deepEqual(t.networks.map((n) => n.name).sort(), ['private', 'public'])
    const pub = t.networks.find((n) => n.name === 'public')!
    assert.equal(pub.external, true)
    assert.equal(pub.mtu, 1500)
    assert.deepEqual(pub.subnets[0]!.allocation_pools, [{ start: '172.24.4.2', end: '172.24.4.253' }])
    assert.equal(pub.subnets[0]!.enable_dhcp, false)
    const priv = t.networks.find((n) => n.name === 'private')!
    assert.equal(priv.external, false)
    assert.deepEqual(priv.subnets[0]!.dns_nameservers, [])
    assert.equal(priv.subnets[0]!.gateway_ip, '10.0.0.1')
    assert.equal(t.routers.length, 1)
    const r = t.routers[0]!
    const gw = t.ports.find((p) => p.id === r.gateway_port_id)!
    assert.equal(gw.device_owner, 'network:router_gateway')
    assert.equal(gw.network_id, pub.id)
    assert.equal(r.enable_snat, true)
    assert.equal(r.interface_port_ids.length, 1)
    const iface = t.ports.find((p) => p.id === r.interface_port_ids[0])!
    assert.deepEqual(iface.fixed_ips.map((f) => f.ip_address), ['10.0.0.1'])
    assert.equal(iface.hostname, 'host-10-0-0-1')
    assert.deepEqual(await manager.topology(), t, 'topology() is what the driver got')
    await manager.stop()
    assert.equal(driver.calls.at(-1), 'stop')
    await d.close()
  })

  it('syncs once per burst of commits, never two at once, and logs (not throws) a failed sync', async () => {
    // A long debounce, so that the burst below fits in it even on a busy machine.
    const { manager, driver, db: d } = await startManager({ syncDelayMs: 300 })
    const priv = driver.last.networks.find((n) => n.name === 'private')!
    const before = driver.syncs.length
    const [web, plain] = await Promise.all([
      manager.createPort(DEMO, { network_id: priv.id, dns_name: 'web' }),
      manager.createPort(DEMO, { network_id: priv.id }),
      manager.createSecurityGroup(DEMO, { name: 'web' }),
    ])
    await until(() => driver.syncs.length > before && driver.active === 0, 'the sync after the burst')
    await sleep(400)
    assert.equal(driver.syncs.length, before + 1, 'several commits, one sync')
    const ports = new Map(driver.last.ports.map((p) => [p.id, p]))
    assert.equal(ports.get(web!.id)!.hostname, 'web')
    assert.equal(ports.get(plain!.id)!.hostname, `host-${plain!.fixed_ips[0].ip_address.replace(/\./g, '-')}`)
    assert.deepEqual(ports.get(web!.id)!.security_groups, web!.security_groups)
    const group = driver.last.security_groups.find((g) => g.id === web!.security_groups[0])!
    assert.deepEqual(group.rules.map((r) => `${r.direction}/${r.ethertype}/${r.remote_group_id === group.id ? 'self' : 'any'}`).sort(), [
      'egress/IPv4/any', 'egress/IPv6/any', 'ingress/IPv4/self', 'ingress/IPv6/self',
    ])

    // A change during a sync waits for it, then runs one more.
    let open!: () => void
    driver.gate = new Promise((resolve) => (open = resolve))
    const n1 = await manager.createNetwork(DEMO, { name: 'during-1' })
    await until(() => driver.active === 1, 'the held sync')
    const n2 = await manager.createNetwork(DEMO, { name: 'during-2' })
    await sleep(250)
    const held = driver.syncs.length
    assert.ok(!driver.last.networks.some((n) => n.id === n2.id))
    driver.gate = undefined
    open()
    await until(() => driver.syncs.length === held + 1 && driver.active === 0, 'the sync after the held one')
    assert.ok(driver.last.networks.some((n) => n.id === n1.id) && driver.last.networks.some((n) => n.id === n2.id))
    assert.equal(driver.maxActive, 1)

    // A failing sync is logged; the mutation succeeded; the next change syncs again.
    driver.failNext = true
    await manager.createNetwork(DEMO, { name: 'failing' })
    await until(() => errors.some((e) => e.msg === 'network driver sync failed'), 'the logged failure')
    const afterFailure = driver.syncs.length
    await manager.createNetwork(DEMO, { name: 'after-failure' })
    await until(() => driver.syncs.length === afterFailure + 1, 'the next sync')
    assert.ok(driver.last.networks.some((n) => n.name === 'failing'))
    await manager.stop()
    await d.close()
  })

  it('security group changes of a bound port reach the driver', async () => {
    const { manager, driver, db: d } = await startManager()
    const priv = driver.last.networks.find((n) => n.name === 'private')!
    const port = await manager.createPort(DEMO, { network_id: priv.id, device_id: 'vm-1', device_owner: 'compute:nova', 'binding:host_id': 'stackling' }, { service: true })
    const g = await manager.createSecurityGroup(DEMO, { name: 'extra' })
    await manager.update(ADMIN, 'ports', port, { security_groups: [...port.security_groups, g.id] })
    await until(() => !!driver.last.ports.find((p) => p.id === port.id)?.security_groups.includes(g.id), 'the new group in the topology')
    const rule = await manager.createRule(DEMO, { security_group_id: g.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' })
    await until(() => !!driver.last.security_groups.find((x) => x.id === g.id)?.rules.some((r) => r.id === rule.id), 'the new rule in the topology')
    assert.deepEqual(driver.last.security_groups.find((x) => x.id === g.id)!.rules.find((r) => r.id === rule.id), {
      id: rule.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0', remote_group_id: null,
    })
    await manager.stop()
    await d.close()
  })

  it('puts host forwards and port forwardings of floating IPs in the topology; host ports are the lowest free', async () => {
    const busy = new Set([41000])
    const probeHostPort = async (_p: string, port: number) => !busy.has(port)
    const { manager, driver, db: d } = await startManager({ hostForwardRange: { min: 41000, max: 41006 }, probeHostPort })
    const pub = driver.last.networks.find((n) => n.name === 'public')!
    const priv = driver.last.networks.find((n) => n.name === 'private')!
    const router = driver.last.routers[0]!
    const vm1 = await manager.createPort(DEMO, { network_id: priv.id })
    const vm2 = await manager.createPort(DEMO, { network_id: priv.id })
    const fip = await manager.createFloatingIp(DEMO, { floating_network_id: pub.id })
    const assoc = await manager.update(DEMO, 'floatingips', fip, { port_id: vm1.id })
    assert.deepEqual(assoc.host_forwards, [
      { protocol: 'tcp', internal_port: 22, host_port: 41001 },
      { protocol: 'tcp', internal_port: 80, host_port: 41002 },
    ], '41000 is held by another program')
    await until(() => driver.last.floating_ips.some((f) => f.id === fip.id && f.port_id === vm1.id), 'the association')
    assert.deepEqual(driver.last.floating_ips.find((f) => f.id === fip.id), {
      id: fip.id,
      floating_ip_address: fip.floating_ip_address,
      floating_network_id: pub.id,
      router_id: router.id,
      port_id: vm1.id,
      fixed_ip_address: vm1.fixed_ips[0].ip_address,
      host_forwards: assoc.host_forwards,
      port_forwardings: [],
    })
    // Two associations at once probe the same ports; the one that commits second probes again.
    const vm3 = await manager.createPort(DEMO, { network_id: priv.id })
    const [f2, f3] = await Promise.all([manager.createFloatingIp(DEMO, { floating_network_id: pub.id }), manager.createFloatingIp(DEMO, { floating_network_id: pub.id })])
    const [a2, a3] = await Promise.all([manager.update(DEMO, 'floatingips', f2!, { port_id: vm2.id }), manager.update(DEMO, 'floatingips', f3!, { port_id: vm3.id })])
    const taken = [...a2!.host_forwards, ...a3!.host_forwards].map((h: { host_port: number }) => h.host_port).sort()
    assert.deepEqual(taken, [41003, 41004, 41005, 41006])
    // The range is used up: the next association fails and says why.
    const vm4 = await manager.createPort(DEMO, { network_id: priv.id })
    const f4 = await manager.createFloatingIp(DEMO, { floating_network_id: pub.id })
    await assert.rejects(manager.update(DEMO, 'floatingips', f4, { port_id: vm4.id }), (e: ApiError & { neutronType?: string }) => {
      assert.equal(e.status, 409)
      assert.equal(e.neutronType, 'HostPortsExhausted')
      assert.match(e.message, /41000-41006/)
      return true
    })
    // Disassociating frees; the next association takes the lowest free ports again.
    await manager.update(DEMO, 'floatingips', assoc, { port_id: null })
    const again = await manager.update(DEMO, 'floatingips', f4, { port_id: vm4.id })
    assert.deepEqual(again.host_forwards.map((h: { host_port: number }) => h.host_port), [41001, 41002])

    // A port forwarding on a free floating IP: the floating IP takes router1.
    const f5 = await manager.createFloatingIp(DEMO, { floating_network_id: pub.id })
    const vm5 = await manager.createPort(DEMO, { network_id: priv.id })
    const pf = await manager.createPortForwarding(DEMO, f5, { protocol: 'udp', internal_port_id: vm5.id, internal_port: 53, external_port: 5353 })
    await until(() => driver.last.floating_ips.find((f) => f.id === f5.id)?.port_forwardings.length === 1, 'the port forwarding')
    const t5 = driver.last.floating_ips.find((f) => f.id === f5.id)!
    assert.equal(t5.router_id, router.id)
    assert.equal(t5.port_id, null)
    assert.deepEqual(t5.host_forwards, [])
    assert.deepEqual(t5.port_forwardings, [
      { id: pf.id, protocol: 'udp', internal_port_id: vm5.id, internal_ip_address: vm5.fixed_ips[0].ip_address, internal_port: 53, external_port: 5353 },
    ])
    await manager.stop()
    await d.close()
  })

  it('sets port status from the driver’s connection reports, bumping the revision only on a change', async () => {
    const { manager, driver, db: d, file } = await startManager()
    const priv = driver.last.networks.find((n) => n.name === 'private')!
    const port = await manager.createPort(DEMO, { network_id: priv.id, device_id: 'vm-1', device_owner: 'compute:nova', 'binding:host_id': 'stackling' }, { service: true })
    assert.equal(port.status, 'DOWN')
    assert.equal(port['binding:vif_type'], 'other')
    const get = () => manager.getVisible(ADMIN, 'ports', port.id)
    driver.report(port.id, true)
    await until(async () => (await get()).status === 'ACTIVE', 'ACTIVE')
    const rev = (await get()).revision_number
    assert.equal(rev, port.revision_number + 1)
    driver.report(port.id, true)
    await sleep(30)
    assert.equal((await get()).revision_number, rev, 'unchanged: no new revision')
    driver.report(port.id, false)
    await until(async () => (await get()).status === 'DOWN', 'DOWN')
    // An admin-down port stays DOWN while connected.
    const down = await manager.createPort(DEMO, { network_id: priv.id, admin_state_up: false, device_id: 'vm-2', device_owner: 'compute:nova' })
    driver.report(down.id, true)
    await sleep(30)
    assert.equal((await manager.getVisible(ADMIN, 'ports', down.id)).status, 'DOWN')
    driver.report(port.id, true)
    await until(async () => (await get()).status === 'ACTIVE', 'ACTIVE again')
    await manager.stop()
    await d.close()

    // At the next start, statuses follow what the (new) data plane reports: nothing is connected yet.
    const d2 = await Database.open(file)
    const driver2 = new RecordingDriver()
    const m2 = new NetworkManager(new NetworkRepository(d2), driver2, log, { syncDelayMs: 20 })
    await m2.seed('admin-p', 'demo-p')
    await m2.start()
    assert.equal((await m2.getVisible(ADMIN, 'ports', port.id)).status, 'DOWN')
    await m2.stop()
    await d2.close()
  })

  it('stop hands the driver the changes still pending, then stops it; nothing syncs after', async () => {
    const { manager, driver, db: d } = await startManager({ syncDelayMs: 5000 })
    const n = await manager.createNetwork(DEMO, { name: 'late' })
    await manager.stop()
    assert.ok(driver.last.networks.some((x) => x.id === n.id))
    assert.equal(driver.calls.at(-1), 'stop')
    const count = driver.syncs.length
    await manager.createNetwork(DEMO, { name: 'after-stop' })
    await sleep(30)
    assert.equal(driver.syncs.length, count)
    await d.close()
  })

  it('falls back to no data plane when the driver cannot start', async () => {
    const broken = new RecordingDriver()
    broken.start = async () => {
      throw new Error('no qemu')
    }
    const { manager, driver, db: d } = await startManager({}, broken)
    assert.equal(driver.syncs.length, 0)
    assert.ok(errors.some((e) => /could not start/.test(e.msg) && e.fields?.error === 'no qemu'))
    assert.deepEqual(createNetworkClient(manager).nicBackend('x'), { type: 'none' })
    await manager.stop()
    await d.close()
  })
})

describe('the network client (what compute asks for)', () => {
  let dir: string
  let d: Database
  let manager: NetworkManager
  let driver: RecordingDriver
  const log = { info() {}, debug() {}, warn() {}, error() {} } as unknown as Logger

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stackling-netclient-'))
    d = await Database.open(path.join(dir, 'net.db'))
    await migrate(d, NETWORK_MIGRATIONS)
    driver = new RecordingDriver()
    manager = new NetworkManager(new NetworkRepository(d), driver, log, { syncDelayMs: 5 })
    await manager.seed('admin-p', 'demo-p')
    await manager.start()
  })
  after(async () => {
    await manager.stop()
    await d.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('picks the network for `networks: auto` as Nova does', async () => {
    const client = createNetworkClient(manager)
    assert.equal(((await client.autoNetwork(ctx('demo-p'))) as { name: string }).name, 'private', 'the project’s only network')
    assert.equal(await client.autoNetwork(ctx('lonely-p')), undefined, 'nothing (the external network does not count)')
    const shared = await manager.createNetwork(ADMIN, { name: 'shared-1', shared: true })
    assert.equal(((await client.autoNetwork(ctx('lonely-p'))) as { id: string }).id, shared.id, 'the one shared network')
    assert.equal(((await client.autoNetwork(ctx('demo-p'))) as { name: string }).name, 'private', 'own networks come first')
    await manager.createNetwork(ADMIN, { name: 'shared-2', shared: true })
    assert.equal(await client.autoNetwork(ctx('lonely-p')), 'ambiguous')
    await manager.createNetwork(DEMO, { name: 'second' })
    assert.equal(await client.autoNetwork(ctx('demo-p')), 'ambiguous')
  })

  it('resolves security group names and ids, creating default on first use; unknown → 400 naming it', async () => {
    const client = createNetworkClient(manager)
    const [def] = await client.securityGroupIds(ctx('sg-p'), ['default'])
    assert.ok(def)
    const web = await manager.createSecurityGroup({ projectId: 'sg-p', admin: false }, { name: 'web' })
    assert.deepEqual(await client.securityGroupIds(ctx('sg-p'), ['web', def!, 'default']), [web.id, def])
    await assert.rejects(client.securityGroupIds(ctx('sg-p'), ['nope']), (e: ApiError) => {
      assert.equal(e.status, 400)
      assert.equal(e.message, 'Security group nope not found for project sg-p.')
      return true
    })
    const foreign = await manager.createSecurityGroup(DEMO, { name: 'theirs' })
    await assert.rejects(client.securityGroupIds(ctx('sg-p'), [foreign.id]), (e: ApiError) => e.status === 400)
    await manager.createSecurityGroup({ projectId: 'sg-p', admin: false }, { name: 'web' })
    await assert.rejects(client.securityGroupIds(ctx('sg-p'), ['web']), (e: ApiError) => e.status === 409)
  })

  it('creates bound ports for a member, and answers ports, networks, subnets and floating IPs', async () => {
    const client = createNetworkClient(manager)
    const priv = (await manager.list(ADMIN, 'networks')).find((n) => n.name === 'private')!
    const port = await client.createPort(ctx('demo-p'), { network_id: priv.id, device_id: 'srv-1', device_owner: 'compute:nova', 'binding:host_id': 'stackling', dns_name: 'srv-1' })
    assert.equal(port['binding:host_id'], 'stackling')
    assert.equal(port.project_id, 'demo-p')
    assert.equal(port.status, 'DOWN')
    assert.equal((await manager.getVisible(ADMIN, 'ports', port.id)).dns_name, 'srv-1')
    assert.equal((await client.getPort(ctx('demo-p'), port.id))?.id, port.id)
    assert.equal(await client.getPort(ctx('other-p'), port.id), undefined)
    assert.equal((await client.getNetwork(ctx('other-p'), priv.id)), undefined)
    const pub = (await manager.list(ADMIN, 'networks')).find((n) => n.name === 'public')!
    assert.equal((await client.getNetwork(ctx('other-p'), pub.id))?.['router:external'], true)
    const nets = await client.networksById([priv.id, 'missing'])
    assert.deepEqual([...nets.keys()], [priv.id])
    assert.equal(nets.get(priv.id)!.name, 'private')
    const subs = await client.subnetsById(priv.subnets)
    assert.equal(subs.get(priv.subnets[0])!.cidr, '10.0.0.0/26')
    const fip = await manager.createFloatingIp(DEMO, { floating_network_id: pub.id, port_id: port.id })
    assert.deepEqual(await client.floatingIpsOfPorts([port.id, 'none']), new Map([[port.id, [fip.floating_ip_address]]]))
    assert.deepEqual((await client.portsOfDevice('srv-1')).map((p) => p.id), [port.id])
    const updated = await client.updatePort(port.id, { device_id: '', 'binding:host_id': '' })
    assert.equal(updated.device_id, '')
    assert.deepEqual(client.nicBackend(port.id), { type: 'stream', path: `/sockets/${port.id}` })
    const handler: MetadataHandler = () => undefined
    client.setMetadataHandler(handler)
    assert.equal(driver.metadata, handler)
    await client.deletePort(port.id)
    await client.deletePort(port.id)
    assert.equal(await client.getPort(ctx('demo-p'), port.id), undefined)
    assert.deepEqual(await client.floatingIpsOfPorts([port.id]), new Map())
  })
})
