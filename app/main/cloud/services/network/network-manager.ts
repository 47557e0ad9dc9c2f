import { randomBytes, randomUUID } from 'node:crypto'
import type { SqlExecutor } from '../../platform/db/database'
import { BadRequest, Forbidden } from '../../platform/errors'
import type { Logger } from '../../platform/log'
import { noopNetworkDriver, type HostForward, type NetworkDriver, type Topology } from '../../drivers/network/network-driver'
import {
  badRequest,
  conflict,
  ipExhausted,
  ipInUse,
  networkInUse,
  notFound,
  notFoundTyped,
  overQuota,
  subnetInUse,
} from './errors'
import {
  DEFAULT_HOST_FORWARD_RANGE,
  HOST_FORWARDED_PORTS,
  findFreeHostPorts,
  hostPortKey,
  probeHostPort,
  type HostPortProbe,
  type HostProtocol,
  type PortRange,
} from './host-ports'
import { contains, defaultPools, firstHost, formatCidr, isHost, isIpv4, lastHost, nextFree, overlaps, parseCidr, validatePools, withoutAddress, type Pool } from './ipam'
import { DEFAULT_QUOTAS, OWNER, QUOTA_RESOURCE, type FixedIp, type Kind, type Resource } from './models'
import type { NetworkRepository } from './network-repository'
import { SyncScheduler } from './sync-scheduler'
import { buildTopology } from './topology'

/** Who acts: the token's project and whether it is an admin (Neutron's context.is_admin). */
export interface Actor {
  projectId: string
  admin: boolean
}

type Body = Record<string, any>
type R = Resource & Record<string, any>

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
const DEFAULT_MTU = 1500
const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite', '6', '17', '132', '33', '136'])
const ICMP_PROTOCOLS = new Set(['icmp', 'icmpv6', 'ipv6-icmp', '1', '58'])
const NAMED_PROTOCOLS = [
  'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'igmp', 'ip', 'ipip', 'ipv6-encap', 'ipv6-frag', 'ipv6-icmp',
  'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp',
]

function base(projectId: string): Resource {
  const t = now()
  return { id: randomUUID(), project_id: projectId, created_at: t, updated_at: t, revision_number: 0 }
}

function pick(body: Body, keys: string[]): Body {
  return Object.fromEntries(keys.filter((k) => body[k] !== undefined).map((k) => [k, body[k]]))
}

/** Neutron refuses attributes it does not know: "Unrecognized attribute(s) 'x'". */
function onlyKnown(body: Body, known: string[]): void {
  const unknown = Object.keys(body).filter((k) => !known.includes(k) && k !== 'project_id' && k !== 'tenant_id' && k !== 'tags')
  if (unknown.length) throw badRequest('HTTPBadRequest', `Unrecognized attribute(s) '${unknown.join(', ')}'`)
}

function bool(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v
  if (v === 'true' || v === 'True') return true
  if (v === 'false' || v === 'False') return false
  throw new BadRequest(`Invalid input for ${field}. Reason: '${String(v)}' is not a valid boolean value.`, field)
}

function str(v: unknown, field: string, max = 255): string {
  if (typeof v !== 'string' || v.length > max) throw new BadRequest(`Invalid input for ${field}. Reason: '${String(v)}' is not a valid string.`, field)
  return v
}

/** Neutron's dns_name check (dns-integration): a PQDN or FQDN of hostname labels. */
function dnsName(v: unknown): string {
  const name = str(v, 'dns_name')
  if (name === '') return ''
  const labels = (name.endsWith('.') ? name.slice(0, -1) : name).split('.')
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i
  const bad = name.length > 253 || !labels.every((l) => label.test(l)) || (labels.length > 1 && /^\d+$/.test(labels[labels.length - 1]!))
  if (bad) {
    throw new BadRequest(
      `Invalid input for dns_name. Reason: '${name}' is not a valid PQDN or FQDN: it must be dot-separated labels of letters, digits and hyphens (1 to 63 characters, not starting or ending with a hyphen), 253 characters at most, and a last label that is not all digits.`,
      'dns_name',
    )
  }
  return name
}

function randomMac(): string {
  const b = randomBytes(3)
  return `fa:16:3e:${[...b].map((x) => x.toString(16).padStart(2, '0')).join(':')}`
}

/** Tuning of the manager; the defaults are the product's, tests shrink them. */
export interface NetworkManagerOptions {
  /** Host ports (127.0.0.1) an associated floating IP's host forwards are taken from. */
  hostForwardRange?: PortRange
  /** Whether a host port can be bound right now (tests replace the real bind-and-release probe). */
  probeHostPort?: HostPortProbe
  /** How long after a commit the driver sync runs (commits within it share one sync). */
  syncDelayMs?: number
}

/** The candidate ports went to someone else between the probe and the transaction: probe again. */
class HostPortRace extends Error {}

/** The status Neutron shows for ports the service itself owns and no instance connects to. */
const SERVICE_PORT_OWNERS: readonly string[] = [OWNER.routerInterface, OWNER.routerGateway, OWNER.dhcp]

const PF_FIELDS = ['protocol', 'internal_ip_address', 'internal_port', 'external_port', 'internal_port_id', 'description']
const PF_RANGE_FIELDS = ['internal_port_range', 'external_port_range']

/** Python's repr of a small dict, as Neutron's messages print conflicting values. */
const pyDict = (d: Record<string, string | number>) =>
  `{${Object.entries(d).map(([k, v]) => `'${k}': ${typeof v === 'number' ? v : `'${v}'`}`).join(', ')}}`

type HostPortCandidates = Map<HostProtocol, number[]> | undefined

const externalPortTaken = (protocol: string, port: number, holder: string) =>
  conflict(
    'HostPortInUse',
    `External port ${port}/${protocol} is already used by ${holder}. Here every external port is a port on this computer's 127.0.0.1, shared by all floating IPs: choose another one.`,
  )

function portNumber(v: unknown, field: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw new BadRequest(`Invalid input for ${field}. Reason: '${String(v)}' is not a valid port number (1 to 65535).`, field)
  }
  return n
}

/** A port forwarding body, checked field by field (Neutron's attribute validation); only the fields given on update. */
function checkPortForwarding(body: Body, creating: boolean): Body & { protocol: HostProtocol; external_port: number } {
  const ranges = PF_RANGE_FIELDS.filter((k) => k in body)
  if (ranges.length) {
    throw badRequest('HTTPBadRequest', `Port ranges (${ranges.join(', ')}) are not supported by Stackling: give internal_port and external_port, one port forwarding per port.`)
  }
  onlyKnown(body, PF_FIELDS)
  if (creating) {
    for (const k of ['protocol', 'internal_port_id', 'internal_port', 'external_port']) {
      if (body[k] === undefined || body[k] === null) throw new BadRequest(`Failed to parse request. Required attribute '${k}' not specified`, k)
    }
  }
  const out: Body = {}
  if (body.protocol !== undefined) {
    const p = typeof body.protocol === 'string' ? body.protocol.toLowerCase() : body.protocol
    if (p !== 'tcp' && p !== 'udp') throw new BadRequest(`Invalid input for protocol. Reason: '${String(body.protocol)}' is not in ['tcp', 'udp'].`, 'protocol')
    out.protocol = p
  }
  if (body.internal_port !== undefined) out.internal_port = portNumber(body.internal_port, 'internal_port')
  if (body.external_port !== undefined) {
    const n = portNumber(body.external_port, 'external_port')
    if (n < 1024) {
      throw new BadRequest(
        `Invalid input for external_port. Reason: ${n} is below 1024. Here the external port is a port on this computer's 127.0.0.1, and ports below 1024 need root (administrator) rights on the host: choose one in 1024-65535.`,
        'external_port',
      )
    }
    out.external_port = n
  }
  if (body.internal_port_id !== undefined) out.internal_port_id = str(body.internal_port_id, 'internal_port_id')
  if (body.internal_ip_address !== undefined && body.internal_ip_address !== null) {
    if (!isIpv4(body.internal_ip_address)) {
      throw new BadRequest(`Invalid input for internal_ip_address. Reason: '${String(body.internal_ip_address)}' is not a valid IPv4 address.`, 'internal_ip_address')
    }
    out.internal_ip_address = body.internal_ip_address
  }
  if (body.description !== undefined) out.description = str(body.description ?? '', 'description')
  return out as Body & { protocol: HostProtocol; external_port: number }
}

/**
 * The network service's work: validation, IPAM and quotas inside one transaction per mutation (Neutron's
 * precommit); after each commit the driver gets the whole desired state (postcommit), debounced. Visibility:
 * admins see everything; a project sees its own resources plus shared and external networks and their subnets;
 * anything else is a 404.
 */
export class NetworkManager {
  private readonly syncs: SyncScheduler
  private readonly hostForwardRange: PortRange
  private readonly probe: HostPortProbe
  private stopped = false

  constructor(
    private readonly repo: NetworkRepository,
    private driver: NetworkDriver,
    private readonly log: Logger,
    opts: NetworkManagerOptions = {},
  ) {
    this.hostForwardRange = opts.hostForwardRange ?? DEFAULT_HOST_FORWARD_RANGE
    this.probe = opts.probeHostPort ?? probeHostPort
    this.syncs = new SyncScheduler(
      async () => this.driver.sync(await this.topology()),
      (err) => this.log.error('network driver sync failed', { driver: this.driver.name, error: err instanceof Error ? err.message : String(err) }),
      opts.syncDelayMs,
    )
  }

  /** A committed write: every mutation goes through here, so every commit schedules a driver sync. */
  private async tx<T>(body: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const result = await this.repo.db.transaction(body)
    this.syncs.request()
    return result
  }

  // ---- data plane -------------------------------------------------------------------------------------------

  /**
   * After seeding: starts the driver, hands it the whole state, and brings port statuses up to date. A driver
   * that cannot start leaves the cloud API-only (logged), rather than no cloud at all.
   */
  async start(): Promise<void> {
    this.driver.onPortStatus((portId, connected) => {
      this.setPortConnected(portId, connected).catch((err: Error) =>
        this.log.error('could not record a port status', { port_id: portId, error: err.message }),
      )
    })
    try {
      await this.driver.start()
    } catch (err) {
      this.log.error('network data plane could not start; networks work as an API only', {
        driver: this.driver.name,
        error: err instanceof Error ? err.message : String(err),
      })
      this.driver = noopNetworkDriver()
    }
    this.syncs.enable()
    await this.syncs.flush()
    await this.reconcilePortStatus()
  }

  /** Waits for the sync in flight (and runs one for changes it did not see), then stops the driver. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await this.syncs.close()
    await this.driver.stop().catch((err: Error) => this.log.error('network driver failed to stop', { error: err.message }))
  }

  /** The data plane's desired state from the database, all projects (read in one transaction: a consistent snapshot). */
  topology(): Promise<Topology> {
    return this.repo.db.transaction(async (q) =>
      buildTopology({
        networks: await this.repo.all<R>('networks', q),
        subnets: await this.repo.all<R>('subnets', q),
        ports: await this.repo.all<R>('ports', q),
        security_groups: await this.repo.all<R>('security_groups', q),
        security_group_rules: await this.repo.all<R>('security_group_rules', q),
        routers: await this.repo.all<R>('routers', q),
        floatingips: await this.repo.all<R>('floatingips', q),
        port_forwardings: await this.repo.all<R>('port_forwardings', q),
      }),
    )
  }

  /** The driver's hooks compute reaches through the network client. */
  get dataPlane(): Pick<NetworkDriver, 'nicBackend' | 'setMetadataHandler'> {
    return { nicBackend: (id) => this.driver.nicBackend(id), setMetadataHandler: (h) => this.driver.setMetadataHandler(h) }
  }

  /**
   * Neutron's port status: ACTIVE for an instance port while a guest is connected to it (as the driver reports),
   * for router and DHCP ports while they and their router are up; floating IP ports are N/A; else DOWN.
   */
  private portStatus(port: R, opts: { routerUp?: boolean; connected?: boolean } = {}): string {
    if (port.device_owner === OWNER.floatingIp) return 'N/A'
    if (port.admin_state_up === false) return 'DOWN'
    if (SERVICE_PORT_OWNERS.includes(port.device_owner)) return port['binding:host_id'] && opts.routerUp !== false ? 'ACTIVE' : 'DOWN'
    return (opts.connected ?? this.driver.portConnected(port.id)) ? 'ACTIVE' : 'DOWN'
  }

  /** A guest (dis)connected: the port's status follows, in a transaction of its own (no sync: status is not topology). */
  private async setPortConnected(portId: string, connected: boolean): Promise<void> {
    if (this.stopped) return
    await this.repo.db.transaction(async (tx) => {
      const port = await this.repo.get<R>('ports', portId, tx)
      if (!port || SERVICE_PORT_OWNERS.includes(port.device_owner)) return
      const status = this.portStatus(port, { connected })
      if (status === port.status) return
      await this.repo.update(tx, 'ports', { ...port, status, updated_at: now(), revision_number: port.revision_number + 1 })
    })
  }

  /** At start (like Nova's init_host): statuses and bindings recomputed from what the data plane reports now. */
  private async reconcilePortStatus(): Promise<void> {
    await this.repo.db.transaction(async (tx) => {
      const routers = new Map((await this.repo.all<R>('routers', tx)).map((r) => [r.id, r]))
      for (const port of await this.repo.all<R>('ports', tx)) {
        const next = this.bind(port, routers.get(port.device_id)?.admin_state_up !== false)
        const same = next.status === port.status && next['binding:vif_type'] === port['binding:vif_type'] &&
          JSON.stringify(next['binding:vif_details']) === JSON.stringify(port['binding:vif_details'])
        if (!same) await this.repo.update(tx, 'ports', { ...next, updated_at: now(), revision_number: port.revision_number + 1 })
      }
    })
  }

  // ---- visibility -------------------------------------------------------------------------------------------

  private networkVisible(a: Actor, net: R): boolean {
    return a.admin || net.project_id === a.projectId || net.shared === true || net['router:external'] === true
  }

  private async visible(a: Actor, kind: Kind, res: R, q: SqlExecutor): Promise<boolean> {
    if (a.admin || res.project_id === a.projectId) return true
    if (kind === 'networks') return this.networkVisible(a, res)
    if (kind === 'subnets') {
      const net = await this.repo.get<R>('networks', res.network_id, q)
      return !!net && this.networkVisible(a, net)
    }
    return false
  }

  /** @throws <Kind>NotFound when it does not exist or `a` may not see it */
  async getVisible(a: Actor, kind: Kind, id: string, q: SqlExecutor = this.repo.db): Promise<R> {
    const res = await this.repo.get<R>(kind, id, q)
    if (!res || !(await this.visible(a, kind, res, q))) throw notFound(kind, id)
    return res
  }

  /** Every resource of `kind` that `a` may see, as views (before filters). */
  async list(a: Actor, kind: Kind): Promise<R[]> {
    if (kind === 'security_groups' || kind === 'security_group_rules') await this.ensureDefaultGroup(a.projectId)
    const all = await this.repo.all<R>(kind)
    let nets: Map<string, R> | undefined
    if (kind === 'subnets' && !a.admin) nets = new Map((await this.repo.all<R>('networks')).map((n) => [n.id, n]))
    const seen = all.filter((r) => {
      if (a.admin || r.project_id === a.projectId) return true
      if (kind === 'networks') return this.networkVisible(a, r)
      if (kind === 'subnets') {
        const n = nets!.get(r.network_id)
        return !!n && this.networkVisible(a, n)
      }
      return false
    })
    return this.present(a, kind, seen)
  }

  /** Adds what a view derives from other rows: a group's rules, a floating IP's port details. */
  async present(a: Actor, kind: Kind, items: R[]): Promise<R[]> {
    if (kind === 'security_groups') {
      const rules = await this.repo.all<R>('security_group_rules')
      return items.map((g) => ({ ...g, security_group_rules: rules.filter((r) => r.security_group_id === g.id) }))
    }
    if (kind === 'floatingips') {
      const ports = new Map((await this.repo.all<R>('ports')).map((p) => [p.id, p]))
      const forwardings = await this.repo.all<R>('port_forwardings')
      return items.map((f) => {
        const p = f.port_id ? ports.get(f.port_id) : undefined
        const port_details = p
          ? { name: p.name, network_id: p.network_id, mac_address: p.mac_address, admin_state_up: p.admin_state_up, status: p.status, device_id: p.device_id, device_owner: p.device_owner }
          : null
        // expose-port-forwarding-in-fip: the forwardings' sockets, as Neutron lists them on the floating IP.
        const port_forwardings = forwardings
          .filter((pf) => pf.floatingip_id === f.id)
          .map((pf) => ({ protocol: pf.protocol, internal_ip_address: pf.internal_ip_address, internal_port: pf.internal_port, external_port: pf.external_port }))
        return { ...f, port_details, port_forwardings, host_forwards: f.port_id ? (f.host_forwards ?? []) : [] }
      })
    }
    if (kind === 'ports' && !a.admin) {
      // Binding attributes are admin-only in Neutron's policy (get_port:binding:*).
      return items.map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => !k.startsWith('binding:'))) as R)
    }
    return items
  }

  async show(a: Actor, kind: Kind, res: R): Promise<R> {
    return (await this.present(a, kind, [res]))[0]!
  }

  // ---- quotas -----------------------------------------------------------------------------------------------

  async quotaOf(projectId: string, q?: SqlExecutor): Promise<Record<string, number>> {
    return { ...DEFAULT_QUOTAS, ...(await this.repo.quotaOverrides(projectId, q)) }
  }

  private async checkQuota(tx: SqlExecutor, kind: Kind, projectId: string): Promise<void> {
    if (!projectId) return
    const resource = QUOTA_RESOURCE[kind]
    const limit = (await this.quotaOf(projectId, tx))[resource]!
    if (limit >= 0 && (await this.repo.count(tx, kind, projectId)) >= limit) throw overQuota(resource)
  }

  async quotaDetails(projectId: string): Promise<Record<string, { limit: number; used: number; reserved: number }>> {
    const limits = await this.quotaOf(projectId)
    const out: Record<string, { limit: number; used: number; reserved: number }> = {}
    for (const [kind, resource] of Object.entries(QUOTA_RESOURCE) as [Kind, string][]) {
      out[resource] = { limit: limits[resource]!, used: await this.repo.count(this.repo.db, kind, projectId), reserved: 0 }
    }
    return out
  }

  async updateQuota(projectId: string, body: Body): Promise<Record<string, number>> {
    for (const [k, v] of Object.entries(body)) {
      if (!(k in DEFAULT_QUOTAS)) throw badRequest('HTTPBadRequest', `Unrecognized attribute(s) '${k}'`)
      const n = typeof v === 'string' ? Number(v) : v
      if (!Number.isInteger(n) || (n as number) < -1) throw new BadRequest(`Invalid input for ${k}. Reason: '${String(v)}' is not an integer >= -1.`, k)
    }
    await this.tx(async (tx) => {
      for (const [k, v] of Object.entries(body)) await this.repo.setQuota(tx, projectId, k, Number(v))
    })
    return this.quotaOf(projectId)
  }

  async resetQuota(projectId: string): Promise<void> {
    await this.tx((tx) => this.repo.deleteQuotas(tx, projectId))
  }

  listQuotaProjects(): Promise<string[]> {
    return this.repo.projectsWithQuotas()
  }

  // ---- generic create / update / delete ---------------------------------------------------------------------

  private owner(a: Actor, body: Body): string {
    const p = body.project_id ?? body.tenant_id ?? a.projectId
    if (p !== a.projectId && !a.admin) throw new Forbidden('Only an admin may create a resource for another project.')
    return str(p, 'project_id')
  }

  async create(a: Actor, kind: Kind, body: Body): Promise<R> {
    switch (kind) {
      case 'networks':
        return this.createNetwork(a, body)
      case 'subnets':
        return this.createSubnet(a, body)
      case 'ports':
        return this.createPort(a, body)
      case 'security_groups':
        return this.createSecurityGroup(a, body)
      case 'security_group_rules':
        return this.createRule(a, body)
      case 'routers':
        return this.createRouter(a, body)
      case 'floatingips':
        return this.createFloatingIp(a, body)
    }
  }

  async update(a: Actor, kind: Kind, res: R, body: Body): Promise<R> {
    // Associating a floating IP needs host ports, probed outside the transaction (binding is I/O).
    const needsHostPorts = kind === 'floatingips' && typeof body.port_id === 'string' && !(res.port_id && res.host_forwards?.length)
    return this.withHostPorts(needsHostPorts, (hostPorts) =>
      this.tx(async (tx) => {
        const cur = await this.repo.get<R>(kind, res.id, tx)
        if (!cur) throw notFound(kind, res.id)
        const next = await this.applyUpdate(a, kind, cur, body, tx, hostPorts)
        next.updated_at = now()
        next.revision_number = cur.revision_number + 1
        await this.repo.update(tx, kind, next)
        return next
      }),
    )
  }

  private async applyUpdate(a: Actor, kind: Kind, cur: R, body: Body, tx: SqlExecutor, hostPorts: HostPortCandidates): Promise<R> {
    const common = ['name', 'description']
    switch (kind) {
      case 'networks': {
        onlyKnown(body, [...common, 'admin_state_up', 'shared', 'router:external', 'mtu', 'port_security_enabled'])
        const next = { ...cur, ...pick(body, [...common, 'admin_state_up', 'shared', 'router:external', 'mtu', 'port_security_enabled']) }
        if ('shared' in body) next.shared = bool(body.shared, 'shared')
        if ('router:external' in body) next['router:external'] = bool(body['router:external'], 'router:external')
        return next
      }
      case 'subnets': {
        onlyKnown(body, [...common, 'gateway_ip', 'allocation_pools', 'dns_nameservers', 'host_routes', 'enable_dhcp'])
        const next = { ...cur, ...pick(body, [...common, 'dns_nameservers', 'host_routes', 'enable_dhcp']) }
        if ('gateway_ip' in body || 'allocation_pools' in body) {
          const cidr = parseCidr(cur.cidr)
          next.gateway_ip = 'gateway_ip' in body ? this.gateway(cidr, body.gateway_ip) : cur.gateway_ip
          next.allocation_pools = body.allocation_pools ?? cur.allocation_pools
          validatePools(cidr, next.allocation_pools, next.gateway_ip)
        }
        return next
      }
      case 'ports':
        return this.updatePort(a, cur, body, tx)
      case 'security_groups':
        onlyKnown(body, [...common, 'stateful'])
        if (cur.name === 'default' && body.name !== undefined && body.name !== 'default') {
          throw conflict('SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.')
        }
        return { ...cur, ...pick(body, common) }
      case 'security_group_rules':
        onlyKnown(body, ['description'])
        return { ...cur, ...pick(body, ['description']) }
      case 'routers':
        return this.updateRouter(a, cur, body, tx)
      case 'floatingips':
        return this.updateFloatingIp(a, cur, body, tx, hostPorts)
    }
  }

  async remove(a: Actor, kind: Kind, res: R): Promise<void> {
    await this.tx(async (tx) => {
      const cur = await this.repo.get<R>(kind, res.id, tx)
      if (!cur) throw notFound(kind, res.id)
      switch (kind) {
        case 'networks': {
          const ports = await this.repo.portsOf(cur.id, tx)
          if (ports.some((p) => p.device_owner !== OWNER.dhcp)) throw networkInUse(cur.id)
          for (const p of ports) await this.repo.remove(tx, 'ports', p.id)
          for (const s of await this.repo.subnetsOf(cur.id, tx)) await this.repo.remove(tx, 'subnets', s.id)
          break
        }
        case 'subnets': {
          if ((await this.repo.portsOnSubnet(tx, cur.id)).length) throw subnetInUse(cur.id)
          const net = await this.repo.get<R>('networks', cur.network_id, tx)
          if (net) await this.repo.update(tx, 'networks', { ...net, subnets: net.subnets.filter((s: string) => s !== cur.id) })
          break
        }
        case 'ports':
          if ([OWNER.routerInterface, OWNER.routerGateway, OWNER.floatingIp].includes(cur.device_owner) && !a.admin) {
            throw conflict('ServicePortInUse', `Port ${cur.id} cannot be deleted directly via the port API: has device owner ${cur.device_owner}.`)
          }
          await this.disassociateFloatingIps(tx, cur.id)
          // Neutron deletes the port forwardings to a deleted port.
          await this.dropPortForwardings(tx, (await this.repo.all<R>('port_forwardings', tx)).filter((pf) => pf.internal_port_id === cur.id))
          break
        case 'security_groups': {
          if (cur.name === 'default' && !a.admin) throw conflict('SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.')
          const ports = await this.repo.all<R>('ports', tx)
          if (ports.some((p) => (p.security_groups as string[]).includes(cur.id))) throw conflict('SecurityGroupInUse', `Security Group ${cur.id} in use.`)
          for (const r of await this.repo.all<R>('security_group_rules', tx)) {
            if (r.security_group_id === cur.id) await this.repo.remove(tx, 'security_group_rules', r.id)
          }
          break
        }
        case 'routers': {
          const ports = (await this.repo.all<R>('ports', tx)).filter((p) => p.device_id === cur.id && p.device_owner === OWNER.routerInterface)
          if (ports.length) throw conflict('RouterInUse', `Router ${cur.id} still has ports`)
          if (cur._gw_port_id) await this.repo.remove(tx, 'ports', cur._gw_port_id)
          break
        }
        case 'floatingips':
          if (cur._port_id) await this.repo.remove(tx, 'ports', cur._port_id)
          // Its port forwardings go with it (and free their host ports); so do its host forwards, in its row.
          for (const pf of await this.repo.portForwardingsOf(cur.id, tx)) await this.repo.remove(tx, 'port_forwardings', pf.id)
          break
      }
      await this.repo.remove(tx, kind, cur.id)
    })
  }

  // ---- networks ---------------------------------------------------------------------------------------------

  async createNetwork(a: Actor, body: Body): Promise<R> {
    const fields = ['name', 'description', 'admin_state_up', 'shared', 'router:external', 'mtu', 'port_security_enabled', 'availability_zone_hints']
    onlyKnown(body, fields)
    const mtu = body.mtu ?? DEFAULT_MTU
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 9000) throw new BadRequest(`Invalid input for mtu. Reason: '${mtu}' is not in range 68 through 9000.`, 'mtu')
    const net: R = {
      ...base(this.owner(a, body)),
      name: str(body.name ?? '', 'name'),
      description: str(body.description ?? '', 'description'),
      admin_state_up: body.admin_state_up === undefined ? true : bool(body.admin_state_up, 'admin_state_up'),
      status: 'ACTIVE',
      subnets: [],
      shared: body.shared === undefined ? false : bool(body.shared, 'shared'),
      'router:external': body['router:external'] === undefined ? false : bool(body['router:external'], 'router:external'),
      mtu,
      port_security_enabled: body.port_security_enabled === undefined ? true : bool(body.port_security_enabled, 'port_security_enabled'),
      availability_zone_hints: body.availability_zone_hints ?? [],
      availability_zones: ['nova'],
      ipv4_address_scope: null,
      ipv6_address_scope: null,
      l2_adjacency: true,
      is_default: false,
      tags: [],
    }
    await this.tx(async (tx) => {
      await this.checkQuota(tx, 'networks', net.project_id)
      await this.repo.insert(tx, 'networks', net)
    })
    return net
  }

  // ---- subnets ----------------------------------------------------------------------------------------------

  private gateway(cidr: ReturnType<typeof parseCidr>, v: unknown): string | null {
    if (v === null) return null
    if (v === undefined) return firstHost(cidr)
    if (!isIpv4(v)) throw new BadRequest(`Invalid input for gateway_ip. Reason: '${String(v)}' is not a valid IP address.`, 'gateway_ip')
    if (!isHost(cidr, v)) throw badRequest('HTTPBadRequest', `Invalid input for operation: Gateway IP ${v} is not in subnet ${formatCidr(cidr)}.`)
    return v
  }

  async createSubnet(a: Actor, body: Body): Promise<R> {
    const fields = ['name', 'description', 'network_id', 'ip_version', 'cidr', 'gateway_ip', 'allocation_pools', 'dns_nameservers', 'host_routes', 'enable_dhcp', 'ipv6_ra_mode', 'ipv6_address_mode', 'subnetpool_id', 'segment_id', 'service_types', 'use_default_subnet_pool', 'dns_publish_fixed_ip']
    onlyKnown(body, fields)
    if (typeof body.network_id !== 'string') throw new BadRequest("Invalid input for network_id. Reason: 'None' is not a valid UUID.", 'network_id')
    const ipVersion = body.ip_version ?? 4
    if (ipVersion === 6) throw badRequest('HTTPBadRequest', 'IPv6 subnets are not supported yet by Stackling.')
    if (ipVersion !== 4) throw new BadRequest(`Invalid input for ip_version. Reason: '${ipVersion}' is not in [4, 6].`, 'ip_version')
    if (body.subnetpool_id) throw badRequest('HTTPBadRequest', 'Subnet pools are not supported by Stackling; give a cidr.')
    if (body.cidr === undefined) throw badRequest('HTTPBadRequest', 'Bad subnets request: a cidr must be specified in the absence of a subnet pool.')
    const cidr = parseCidr(body.cidr, { strict: true })
    if (cidr.prefix > 30) throw badRequest('HTTPBadRequest', `Invalid input for operation: Invalid CIDR ${body.cidr} for IPv4 subnet; its prefix must be at most /30.`)
    const gateway = this.gateway(cidr, body.gateway_ip)
    const pools: Pool[] = body.allocation_pools ?? defaultPools(cidr, gateway)
    if (!Array.isArray(pools)) throw new BadRequest('Invalid input for allocation_pools.', 'allocation_pools')
    validatePools(cidr, pools, gateway)
    for (const ns of body.dns_nameservers ?? []) {
      if (!isIpv4(ns)) throw new BadRequest(`Invalid input for dns_nameservers. Reason: '${ns}' is not a valid nameserver.`, 'dns_nameservers')
    }
    for (const hr of body.host_routes ?? []) {
      parseCidr(hr?.destination, { field: 'host_routes' })
      if (!isIpv4(hr?.nexthop)) throw new BadRequest(`Invalid input for host_routes. Reason: '${hr?.nexthop}' is not a valid IP address.`, 'host_routes')
    }
    return this.tx(async (tx) => {
      const net = await this.getVisible(a, 'networks', body.network_id, tx)
      if (!a.admin && net.project_id !== a.projectId) throw new Forbidden('Only the owner of a network may add subnets to it.')
      const project = this.owner(a, body)
      await this.checkQuota(tx, 'subnets', project)
      for (const s of await this.repo.subnetsOf(net.id, tx)) {
        if (overlaps(parseCidr(s.cidr), cidr)) {
          throw badRequest('BadRequest', `Invalid input for operation: Requested subnet with cidr: ${formatCidr(cidr)} for network: ${net.id} overlaps with another subnet.`)
        }
      }
      // On an external network the last address is the host uplink's (reservedAddress): default pools leave it out.
      const ownPools = net['router:external'] && body.allocation_pools === undefined ? withoutAddress(pools, lastHost(cidr)) : pools
      const subnet: R = {
        ...base(project),
        name: str(body.name ?? '', 'name'),
        description: str(body.description ?? '', 'description'),
        network_id: net.id,
        ip_version: 4,
        cidr: formatCidr(cidr),
        gateway_ip: gateway,
        allocation_pools: ownPools.map((p) => ({ start: p.start, end: p.end })),
        dns_nameservers: body.dns_nameservers ?? [],
        host_routes: body.host_routes ?? [],
        enable_dhcp: body.enable_dhcp === undefined ? true : bool(body.enable_dhcp, 'enable_dhcp'),
        ipv6_ra_mode: null,
        ipv6_address_mode: null,
        subnetpool_id: null,
        segment_id: null,
        service_types: [],
        tags: [],
      }
      await this.repo.insert(tx, 'subnets', subnet)
      await this.repo.update(tx, 'networks', { ...net, subnets: [...net.subnets, subnet.id], updated_at: now(), revision_number: net.revision_number + 1 })
      return subnet
    })
  }

  // ---- ports and IPAM ---------------------------------------------------------------------------------------

  /**
   * The address of an external network's subnet that no port may have: its last usable one. The host uplink (a
   * guest-less QEMU with user networking) sits there and answers DNS on it. Undefined on other networks.
   */
  private reservedAddress(net: R, subnet: R): string | undefined {
    return net['router:external'] === true && subnet.ip_version !== 6 ? lastHost(parseCidr(subnet.cidr)) : undefined
  }

  /**
   * Allocates the requested fixed IPs (or one from the first IPv4 subnet with room) inside the caller's
   * transaction, so two concurrent creates can never get the same address.
   */
  private async allocateIps(tx: SqlExecutor, net: R, portId: string, requested: Body[] | undefined, owner: string): Promise<FixedIp[]> {
    const subnets = (await this.repo.subnetsOf(net.id, tx)) as R[]
    const byId = new Map(subnets.map((s) => [s.id, s]))
    const taken = async (s: R) => {
      const ips = await this.repo.allocatedIps(tx, s.id)
      const reserved = this.reservedAddress(net, s)
      if (reserved) ips.add(reserved)
      return ips
    }
    const out: FixedIp[] = []
    if (requested === undefined) {
      if (!subnets.length) return []
      for (const s of subnets) {
        const ip = nextFree(s.allocation_pools, await taken(s))
        if (ip) {
          await this.repo.allocate(tx, s.id, ip, portId)
          return [{ subnet_id: s.id, ip_address: ip }]
        }
      }
      throw ipExhausted(net.id)
    }
    if (!Array.isArray(requested)) throw new BadRequest('Invalid input for fixed_ips. Reason: it must be a list.', 'fixed_ips')
    for (const req of requested) {
      let subnet: R | undefined
      if (req.subnet_id !== undefined) {
        subnet = byId.get(req.subnet_id)
        if (!subnet) {
          const exists = await this.repo.get('subnets', req.subnet_id, tx)
          if (!exists) throw notFound('subnets', req.subnet_id)
          throw badRequest('InvalidInput', `Invalid input for operation: Failed to create port on network ${net.id}, because fixed_ips included invalid subnet ${req.subnet_id}.`)
        }
      }
      if (req.ip_address !== undefined) {
        if (!isIpv4(req.ip_address)) throw new BadRequest(`Invalid input for fixed_ips. Reason: '${req.ip_address}' is not a valid IP address.`, 'fixed_ips')
        subnet ??= subnets.find((s) => contains(parseCidr(s.cidr), req.ip_address))
        if (!subnet || !isHost(parseCidr(subnet.cidr), req.ip_address)) {
          throw badRequest('InvalidIpForNetwork', `IP address ${req.ip_address} is not a valid IP for any of the subnets on the specified network.`)
        }
        if (req.ip_address === this.reservedAddress(net, subnet)) {
          throw conflict(
            'IpAddressAlreadyAllocated',
            `IP address ${req.ip_address} is reserved in subnet ${subnet.id}: on an external network the last address of each subnet belongs to this computer's uplink, which answers DNS there.`,
          )
        }
        const allocated = await this.repo.allocatedIps(tx, subnet.id)
        const isGateway = req.ip_address === subnet.gateway_ip && owner !== OWNER.routerInterface
        if (allocated.has(req.ip_address) || isGateway) {
          throw conflict('IpAddressAlreadyAllocated', `IP address ${req.ip_address} already allocated in subnet ${subnet.id}`)
        }
        await this.repo.allocate(tx, subnet.id, req.ip_address, portId)
        out.push({ subnet_id: subnet.id, ip_address: req.ip_address })
      } else if (subnet) {
        const ip = nextFree(subnet.allocation_pools, await taken(subnet))
        if (!ip) throw ipExhausted(net.id)
        await this.repo.allocate(tx, subnet.id, ip, portId)
        out.push({ subnet_id: subnet.id, ip_address: ip })
      } else {
        throw new BadRequest('Invalid input for fixed_ips: each entry needs a subnet_id or an ip_address.', 'fixed_ips')
      }
    }
    return out
  }

  private async checkSecurityGroups(tx: SqlExecutor, projectId: string, ids: unknown): Promise<string[]> {
    if (!Array.isArray(ids)) throw new BadRequest('Invalid input for security_groups. Reason: it must be a list.', 'security_groups')
    for (const id of ids) {
      const g = await this.repo.get<R>('security_groups', String(id), tx)
      if (!g || g.project_id !== projectId) throw notFound('security_groups', String(id))
    }
    return [...new Set(ids.map(String))]
  }

  private checkPairs(pairs: unknown, mac: string): { ip_address: string; mac_address: string }[] {
    if (!Array.isArray(pairs)) throw new BadRequest('Invalid input for allowed_address_pairs.', 'allowed_address_pairs')
    return pairs.map((p: Body) => {
      if (!isIpv4(p?.ip_address)) parseCidr(p?.ip_address, { field: 'allowed_address_pairs' })
      return { ip_address: p.ip_address, mac_address: p.mac_address ?? mac }
    })
  }

  private checkBinding(a: Actor, body: Body, verb: 'create' | 'update'): void {
    const fields = Object.keys(body).filter((k) => k.startsWith('binding:'))
    if (fields.length && !a.admin) throw new Forbidden(`(rule:${verb}_port and rule:${verb}_port:${fields[0]}) is disallowed by policy`)
  }

  /**
   * Recomputes what binding decides. A port with a host and a device is bound to this cloud's switch: vif_type
   * 'other' (the switch filters it: port_filter); without a device it is 'unbound'. Status: see portStatus.
   */
  private bind(port: R, routerUp = true): R {
    const bound = !!port['binding:host_id'] && !!port.device_id
    return {
      ...port,
      'binding:vif_type': bound ? 'other' : 'unbound',
      'binding:vif_details': bound ? { connectivity: 'l2', port_filter: true } : {},
      status: this.portStatus(port, { routerUp }),
    }
  }

  /**
   * Neutron's create_port. `opts.tx` runs it inside the caller's transaction (router and floating IP ports),
   * `opts.project` sets the owner directly, `opts.service` is the service's own authority (compute binding a port
   * for a member: Nova binds with its admin context).
   */
  async createPort(a: Actor, body: Body, opts: { tx?: SqlExecutor; project?: string; service?: boolean; routerUp?: boolean } = {}): Promise<R> {
    const fields = ['name', 'description', 'network_id', 'admin_state_up', 'mac_address', 'fixed_ips', 'device_id', 'device_owner', 'binding:host_id', 'binding:profile', 'binding:vnic_type', 'security_groups', 'port_security_enabled', 'allowed_address_pairs', 'extra_dhcp_opts', 'propagate_uplink_status', 'dns_name']
    onlyKnown(body, fields)
    if (!opts.service) this.checkBinding(a, body, 'create')
    const dns = body.dns_name === undefined || body.dns_name === null ? '' : dnsName(body.dns_name)
    const work = async (tx: SqlExecutor): Promise<R> => {
      if (typeof body.network_id !== 'string') throw new BadRequest("Invalid input for network_id. Reason: 'None' is not a valid UUID.", 'network_id')
      const net = await this.getVisible(a, 'networks', body.network_id, tx)
      if (!a.admin && net.project_id !== a.projectId && !net.shared) throw new Forbidden('(rule:create_port and rule:create_port:network) is disallowed by policy')
      const project = opts.project ?? this.owner(a, body)
      await this.checkQuota(tx, 'ports', project)
      const port: R = { ...base(project) }
      let mac = body.mac_address
      if (mac !== undefined) {
        if (typeof mac !== 'string' || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) throw new BadRequest(`Invalid input for mac_address. Reason: '${mac}' is not a valid MAC address.`, 'mac_address')
        mac = mac.toLowerCase()
        if (await this.repo.macInUse(tx, mac)) throw conflict('MacAddressInUse', `Unable to complete operation for network ${net.id}. The mac address ${mac} is in use.`)
      } else {
        do mac = randomMac()
        while (await this.repo.macInUse(tx, mac))
      }
      const owner = body.device_owner ?? ''
      const portSecurity = body.port_security_enabled === undefined ? net.port_security_enabled : bool(body.port_security_enabled, 'port_security_enabled')
      let groups: string[] = []
      if (body.security_groups !== undefined) groups = await this.checkSecurityGroups(tx, project, body.security_groups)
      else if (portSecurity && !owner.startsWith('network:') && project) groups = [await this.ensureDefaultGroup(project, tx)]
      if (!portSecurity && groups.length) {
        throw conflict('PortSecurityAndIPRequiredForSecurityGroups', 'Port security must be enabled and port must have an IP address in order to use security groups.')
      }
      const pairs = body.allowed_address_pairs === undefined ? [] : this.checkPairs(body.allowed_address_pairs, mac)
      if (pairs.length && !portSecurity) throw conflict('AddressPairAndPortSecurityRequired', 'Port Security must be enabled in order to have allowed address pairs on a port.')
      const fixed_ips = await this.allocateIps(tx, net, port.id, body.fixed_ips, owner)
      Object.assign(port, {
        name: str(body.name ?? '', 'name'),
        description: str(body.description ?? '', 'description'),
        network_id: net.id,
        mac_address: mac,
        admin_state_up: body.admin_state_up === undefined ? true : bool(body.admin_state_up, 'admin_state_up'),
        device_id: str(body.device_id ?? '', 'device_id'),
        device_owner: str(owner, 'device_owner'),
        fixed_ips,
        allowed_address_pairs: pairs,
        extra_dhcp_opts: [],
        security_groups: groups,
        port_security_enabled: portSecurity,
        dns_name: dns,
        'binding:host_id': str(body['binding:host_id'] ?? '', 'binding:host_id'),
        'binding:profile': body['binding:profile'] ?? {},
        'binding:vnic_type': body['binding:vnic_type'] ?? 'normal',
        propagate_uplink_status: false,
        ip_allocation: 'immediate',
        tags: [],
      })
      const bound = this.bind(port, opts.routerUp)
      await this.repo.insert(tx, 'ports', bound)
      return bound
    }
    return opts.tx ? work(opts.tx) : this.tx(work)
  }

  private async updatePort(a: Actor, cur: R, body: Body, tx: SqlExecutor): Promise<R> {
    onlyKnown(body, ['name', 'description', 'admin_state_up', 'fixed_ips', 'device_id', 'device_owner', 'binding:host_id', 'binding:profile', 'binding:vnic_type', 'security_groups', 'port_security_enabled', 'allowed_address_pairs', 'mac_address', 'dns_name'])
    this.checkBinding(a, body, 'update')
    if (body.mac_address !== undefined && body.mac_address !== cur.mac_address) throw new Forbidden('(rule:update_port and rule:update_port:mac_address) is disallowed by policy')
    const next: R = { ...cur, ...pick(body, ['name', 'description', 'device_id', 'device_owner', 'binding:host_id', 'binding:profile', 'binding:vnic_type']) }
    if ('dns_name' in body) next.dns_name = body.dns_name === null ? '' : dnsName(body.dns_name)
    if ('admin_state_up' in body) next.admin_state_up = bool(body.admin_state_up, 'admin_state_up')
    if ('port_security_enabled' in body) next.port_security_enabled = bool(body.port_security_enabled, 'port_security_enabled')
    if ('security_groups' in body) next.security_groups = await this.checkSecurityGroups(tx, cur.project_id, body.security_groups ?? [])
    if ('allowed_address_pairs' in body) next.allowed_address_pairs = this.checkPairs(body.allowed_address_pairs ?? [], cur.mac_address)
    if (!next.port_security_enabled && next.security_groups.length) {
      throw conflict('PortSecurityPortHasSecurityGroup', 'Port has security group associated. Cannot disable port security or ip address until security group is removed.')
    }
    if (!next.port_security_enabled && next.allowed_address_pairs.length) {
      throw conflict('AddressPairAndPortSecurityRequired', 'Port Security must be enabled in order to have allowed address pairs on a port.')
    }
    if ('fixed_ips' in body) {
      const net = await this.repo.get<R>('networks', cur.network_id, tx)
      await this.repo.releasePort(tx, cur.id)
      next.fixed_ips = await this.allocateIps(tx, net!, cur.id, body.fixed_ips, next.device_owner)
      // Neutron drops the port forwardings whose internal address the port no longer has.
      const kept = new Set((next.fixed_ips as FixedIp[]).map((f) => f.ip_address))
      const stale = (await this.repo.all<R>('port_forwardings', tx)).filter((pf) => pf.internal_port_id === cur.id && !kept.has(pf.internal_ip_address))
      await this.dropPortForwardings(tx, stale)
    }
    const router = SERVICE_PORT_OWNERS.includes(next.device_owner) ? await this.repo.get<R>('routers', next.device_id, tx) : undefined
    return this.bind(next, router?.admin_state_up !== false)
  }

  // ---- security groups --------------------------------------------------------------------------------------

  /** Neutron's lazily created `default` group: egress anywhere, ingress from members of the group. Returns its id. */
  async ensureDefaultGroup(projectId: string, tx0?: SqlExecutor): Promise<string> {
    if (!projectId) return ''
    const find = async (q: SqlExecutor) => (await this.repo.all<R>('security_groups', q)).find((g) => g.project_id === projectId && g.name === 'default')
    const existing = await find(tx0 ?? this.repo.db)
    if (existing) return existing.id
    const work = async (tx: SqlExecutor) => {
      const again = await find(tx)
      if (again) return again.id
      const group: R = { ...base(projectId), name: 'default', description: 'Default security group', stateful: true, shared: false, tags: [] }
      await this.repo.insert(tx, 'security_groups', group)
      for (const [direction, ethertype] of [['egress', 'IPv4'], ['egress', 'IPv6'], ['ingress', 'IPv4'], ['ingress', 'IPv6']] as const) {
        await this.repo.insert(tx, 'security_group_rules', this.rule(group, { direction, ethertype, remote_group_id: direction === 'ingress' ? group.id : null }))
      }
      return group.id
    }
    return tx0 ? work(tx0) : this.tx(work)
  }

  private rule(group: R, r: Body): R {
    return {
      ...base(group.project_id),
      security_group_id: group.id,
      direction: r.direction,
      ethertype: r.ethertype ?? 'IPv4',
      protocol: r.protocol ?? null,
      port_range_min: r.port_range_min ?? null,
      port_range_max: r.port_range_max ?? null,
      remote_ip_prefix: r.remote_ip_prefix ?? null,
      normalized_cidr: r.normalized_cidr ?? null,
      remote_group_id: r.remote_group_id ?? null,
      remote_address_group_id: null,
      description: r.description ?? '',
      tags: [],
    }
  }

  async createSecurityGroup(a: Actor, body: Body): Promise<R> {
    onlyKnown(body, ['name', 'description', 'stateful'])
    const project = this.owner(a, body)
    await this.ensureDefaultGroup(project)
    if (body.name === 'default') throw conflict('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.')
    return this.tx(async (tx) => {
      await this.checkQuota(tx, 'security_groups', project)
      const group: R = { ...base(project), name: str(body.name ?? '', 'name'), description: str(body.description ?? '', 'description'), stateful: body.stateful ?? true, shared: false, tags: [] }
      await this.repo.insert(tx, 'security_groups', group)
      // Like Neutron, a new group allows all egress.
      for (const ethertype of ['IPv4', 'IPv6']) await this.repo.insert(tx, 'security_group_rules', this.rule(group, { direction: 'egress', ethertype }))
      return group
    })
  }

  /** Neutron's rule checks (securitygroups_db._validate_security_group_rule), in its order and words. */
  private validateRule(body: Body): Body {
    if (body.direction !== 'ingress' && body.direction !== 'egress') {
      throw new BadRequest(`Invalid input for direction. Reason: ${JSON.stringify(body.direction ?? null)} is not in ['ingress', 'egress'].`, 'direction')
    }
    const ethertype = body.ethertype ?? 'IPv4'
    if (ethertype !== 'IPv4' && ethertype !== 'IPv6') throw badRequest('SecurityGroupRuleInvalidEtherType', `Security group rule for ethertype '${ethertype}' not supported. Allowed values are ['IPv4', 'IPv6'].`)
    let protocol: string | null = body.protocol === undefined || body.protocol === null || body.protocol === 'any' ? null : String(body.protocol).toLowerCase()
    if (protocol !== null && !NAMED_PROTOCOLS.includes(protocol) && !(/^\d+$/.test(protocol) && Number(protocol) <= 255)) {
      throw badRequest('SecurityGroupRuleInvalidProtocol', `Security group rule protocol ${body.protocol} not supported. Only protocol values [None, ${NAMED_PROTOCOLS.map((p) => `'${p}'`).join(', ')}] and integer representations [0 to 255] are supported.`)
    }
    if (protocol === 'icmp' && ethertype === 'IPv6') protocol = 'ipv6-icmp'
    const min = body.port_range_min ?? null
    const max = body.port_range_max ?? null
    for (const v of [min, max]) {
      if (v !== null && (!Number.isInteger(v) || v < 0 || v > 65535)) throw badRequest('SecurityGroupInvalidPortValue', `Invalid value for port ${v}.`)
    }
    if ((min !== null || max !== null) && protocol === null) throw badRequest('SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.')
    if (protocol !== null && PORT_PROTOCOLS.has(protocol)) {
      if (min === 0 || max === 0) throw badRequest('SecurityGroupInvalidPortValue', 'Invalid value for port 0.')
      if (min !== null && max !== null && min > max) throw badRequest('SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max')
    } else if (protocol !== null && ICMP_PROTOCOLS.has(protocol)) {
      for (const [attr, field, v] of [['type', 'port_range_min', min], ['code', 'port_range_max', max]] as const) {
        if (v !== null && v > 255) throw badRequest('SecurityGroupInvalidIcmpValue', `Invalid value for ICMP ${field} (${attr}) ${v}. It must be 0 to 255.`)
      }
      if (min === null && max !== null) throw badRequest('SecurityGroupMissingIcmpType', `ICMP code (port-range-max) ${max} is provided but ICMP type (port-range-min) is missing.`)
    } else if (min !== null || max !== null) {
      throw badRequest('SecurityGroupInvalidProtocolForPortRange', `Invalid protocol ${protocol} for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP.`)
    }
    let prefix: string | null = body.remote_ip_prefix ?? null
    let normalized: string | null = null
    if (prefix !== null && body.remote_group_id) throw badRequest('SecurityGroupRemoteGroupAndRemoteIpPrefix', 'Only remote_ip_prefix or remote_group_id may be provided.')
    if (prefix !== null) {
      if (String(prefix).includes(':')) {
        if (ethertype !== 'IPv6') throw badRequest('SecurityGroupRuleParameterConflict', `Conflicting value ethertype ${ethertype} for CIDR ${prefix}`)
        normalized = prefix
      } else {
        const c = parseCidr(String(prefix).includes('/') ? prefix : `${prefix}/32`, { field: 'remote_ip_prefix' })
        if (ethertype !== 'IPv4') throw badRequest('SecurityGroupRuleParameterConflict', `Conflicting value ethertype ${ethertype} for CIDR ${prefix}`)
        normalized = formatCidr(c)
        prefix = String(prefix).includes('/') ? prefix : `${prefix}/32`
      }
    }
    return { ...body, ethertype, protocol, port_range_min: min, port_range_max: max, remote_ip_prefix: prefix, normalized_cidr: normalized }
  }

  async createRule(a: Actor, body: Body): Promise<R> {
    onlyKnown(body, ['security_group_id', 'direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix', 'remote_group_id', 'remote_address_group_id', 'description'])
    const r = this.validateRule(body)
    await this.ensureDefaultGroup(a.projectId)
    return this.tx(async (tx) => {
      if (typeof body.security_group_id !== 'string') throw new BadRequest("Invalid input for security_group_id. Reason: 'None' is not a valid UUID.", 'security_group_id')
      const group = await this.getVisible(a, 'security_groups', body.security_group_id, tx)
      if (r.remote_group_id) await this.getVisible(a, 'security_groups', r.remote_group_id, tx)
      await this.checkQuota(tx, 'security_group_rules', group.project_id)
      const rule = this.rule(group, r)
      const same = (x: R) =>
        x.security_group_id === rule.security_group_id && x.direction === rule.direction && x.ethertype === rule.ethertype &&
        x.protocol === rule.protocol && x.port_range_min === rule.port_range_min && x.port_range_max === rule.port_range_max &&
        (x.normalized_cidr ?? '0.0.0.0/0') === (rule.normalized_cidr ?? '0.0.0.0/0') && x.remote_group_id === rule.remote_group_id
      const dup = (await this.repo.all<R>('security_group_rules', tx)).find(same)
      if (dup) throw conflict('SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${dup.id}.`)
      await this.repo.insert(tx, 'security_group_rules', rule)
      return rule
    })
  }

  // ---- routers ----------------------------------------------------------------------------------------------

  async createRouter(a: Actor, body: Body): Promise<R> {
    onlyKnown(body, ['name', 'description', 'admin_state_up', 'external_gateway_info', 'distributed', 'ha', 'availability_zone_hints', 'flavor_id'])
    const project = this.owner(a, body)
    return this.tx(async (tx) => {
      await this.checkQuota(tx, 'routers', project)
      const router: R = {
        ...base(project),
        name: str(body.name ?? '', 'name'),
        description: str(body.description ?? '', 'description'),
        admin_state_up: body.admin_state_up === undefined ? true : bool(body.admin_state_up, 'admin_state_up'),
        status: 'ACTIVE',
        external_gateway_info: null,
        routes: [],
        distributed: false,
        ha: false,
        availability_zone_hints: [],
        availability_zones: ['nova'],
        flavor_id: null,
        tags: [],
      }
      if (body.external_gateway_info) await this.setGateway(a, tx, router, body.external_gateway_info)
      await this.repo.insert(tx, 'routers', router)
      return router
    })
  }

  private async updateRouter(a: Actor, cur: R, body: Body, tx: SqlExecutor): Promise<R> {
    onlyKnown(body, ['name', 'description', 'admin_state_up', 'external_gateway_info', 'routes'])
    const next: R = { ...cur, ...pick(body, ['name', 'description']) }
    if ('admin_state_up' in body) next.admin_state_up = bool(body.admin_state_up, 'admin_state_up')
    if ('routes' in body && (body.routes ?? []).length) throw badRequest('HTTPBadRequest', 'Extra routes are not supported by Stackling.')
    if ('external_gateway_info' in body) {
      const info = body.external_gateway_info
      // `router unset --external-gateway` sends {} ; null clears it too.
      if (!info || !info.network_id) await this.clearGateway(tx, next)
      else await this.setGateway(a, tx, next, info)
    }
    if (next.admin_state_up !== cur.admin_state_up) {
      // A router set down takes its ports down (Neutron's L3 agent unplugs them), and up again.
      for (const port of (await this.repo.portsOfDevice(cur.id, tx)) as R[]) {
        if (!SERVICE_PORT_OWNERS.includes(port.device_owner)) continue
        const bound = this.bind(port, next.admin_state_up)
        if (bound.status !== port.status) await this.repo.update(tx, 'ports', { ...bound, updated_at: now(), revision_number: port.revision_number + 1 })
      }
    }
    return next
  }

  private async clearGateway(tx: SqlExecutor, router: R): Promise<void> {
    if (!router._gw_port_id) return
    const fips = (await this.repo.all<R>('floatingips', tx)).filter((f) => f.router_id === router.id)
    if (fips.length) {
      throw conflict('RouterExternalGatewayInUseByFloatingIp', `Gateway cannot be updated for router ${router.id}, since a gateway to external network ${router.external_gateway_info.network_id} is required by one or more floating IPs.`)
    }
    await this.repo.remove(tx, 'ports', router._gw_port_id)
    router._gw_port_id = null
    router.external_gateway_info = null
  }

  private async setGateway(a: Actor, tx: SqlExecutor, router: R, info: Body): Promise<void> {
    if (typeof info !== 'object' || typeof info.network_id !== 'string') throw new BadRequest('Invalid input for external_gateway_info.', 'external_gateway_info')
    if (('enable_snat' in info || 'external_fixed_ips' in info) && !a.admin) {
      throw new Forbidden('(rule:update_router and rule:update_router:external_gateway_info:enable_snat) is disallowed by policy')
    }
    const net = await this.getVisible(a, 'networks', info.network_id, tx)
    if (!net['router:external']) throw badRequest('BadRequest', `Bad router request: Network ${net.id} is not an external network.`)
    const snat = info.enable_snat === undefined ? true : bool(info.enable_snat, 'enable_snat')
    if (router._gw_port_id && router.external_gateway_info?.network_id === net.id && !info.external_fixed_ips) {
      router.external_gateway_info = { ...router.external_gateway_info, enable_snat: snat }
      return
    }
    if (router._gw_port_id) await this.clearGateway(tx, router)
    const port = await this.createPort(
      { projectId: '', admin: true },
      { network_id: net.id, device_owner: OWNER.routerGateway, device_id: router.id, fixed_ips: info.external_fixed_ips, 'binding:host_id': 'stackling' },
      { tx, project: '', routerUp: router.admin_state_up },
    )
    router._gw_port_id = port.id
    router.external_gateway_info = { network_id: net.id, enable_snat: snat, external_fixed_ips: port.fixed_ips }
  }

  private async interfacesOf(tx: SqlExecutor, routerId: string): Promise<R[]> {
    return (await this.repo.all<R>('ports', tx)).filter((p) => p.device_id === routerId && p.device_owner === OWNER.routerInterface)
  }

  async addRouterInterface(a: Actor, router: R, body: Body): Promise<Body> {
    if (body.subnet_id && body.port_id) throw badRequest('BadRequest', 'Bad router request: Cannot specify both subnet-id and port-id.')
    if (!body.subnet_id && !body.port_id) throw badRequest('BadRequest', 'Bad router request: Either subnet_id or port_id must be specified.')
    return this.tx(async (tx) => {
      const existing = await this.interfacesOf(tx, router.id)
      const attached = new Set(existing.flatMap((p) => (p.fixed_ips as FixedIp[]).map((f) => f.subnet_id)))
      let port: R
      if (body.port_id) {
        port = await this.getVisible(a, 'ports', body.port_id, tx)
        if (port.device_id) {
          throw conflict('PortInUse', `Unable to complete operation on port ${port.id} for network ${port.network_id}. Port already has an attached device ${port.device_id}.`)
        }
        if (!port.fixed_ips.length) throw badRequest('BadRequest', 'Bad router request: Router port must have at least one fixed IP.')
        for (const f of port.fixed_ips as FixedIp[]) await this.checkInterfaceSubnet(tx, f.subnet_id, attached)
        port = this.bind({ ...port, device_id: router.id, device_owner: OWNER.routerInterface, security_groups: [], 'binding:host_id': 'stackling', updated_at: now(), revision_number: port.revision_number + 1 }, router.admin_state_up)
        await this.repo.update(tx, 'ports', port)
      } else {
        const subnet = await this.getVisible(a, 'subnets', body.subnet_id, tx)
        if (!a.admin && subnet.project_id !== a.projectId) throw notFound('subnets', subnet.id)
        if (!subnet.gateway_ip) throw badRequest('BadRequest', 'Bad router request: Subnet for router interface must have a gateway IP.')
        await this.checkInterfaceSubnet(tx, subnet.id, attached)
        const taken = await this.repo.allocatedIps(tx, subnet.id)
        if (taken.has(subnet.gateway_ip)) throw ipInUse(subnet.network_id, subnet.gateway_ip)
        port = await this.createPort(
          { projectId: router.project_id, admin: true },
          { network_id: subnet.network_id, device_owner: OWNER.routerInterface, device_id: router.id, fixed_ips: [{ subnet_id: subnet.id, ip_address: subnet.gateway_ip }], 'binding:host_id': 'stackling', security_groups: [] },
          { tx, project: router.project_id, routerUp: router.admin_state_up },
        )
      }
      const subnets = (port.fixed_ips as FixedIp[]).map((f) => f.subnet_id)
      return { id: router.id, tenant_id: router.project_id, project_id: router.project_id, port_id: port.id, network_id: port.network_id, subnet_id: subnets[0], subnet_ids: subnets }
    })
  }

  private async checkInterfaceSubnet(tx: SqlExecutor, subnetId: string, attached: Set<string>): Promise<void> {
    if (attached.has(subnetId)) throw badRequest('BadRequest', `Bad router request: Router already has a port on subnet ${subnetId}.`)
    const subnet = await this.repo.get<R>('subnets', subnetId, tx)
    const cidr = parseCidr(subnet!.cidr)
    for (const other of attached) {
      const o = await this.repo.get<R>('subnets', other, tx)
      if (o && overlaps(parseCidr(o.cidr), cidr)) {
        throw badRequest('BadRequest', `Bad router request: Cidr ${subnet!.cidr} of subnet ${subnetId} overlaps with cidr ${o.cidr} of subnet ${o.id}.`)
      }
    }
  }

  async removeRouterInterface(a: Actor, router: R, body: Body): Promise<Body> {
    if (!body.subnet_id && !body.port_id) throw badRequest('BadRequest', 'Bad router request: Either subnet_id or port_id must be specified.')
    return this.tx(async (tx) => {
      const ports = await this.interfacesOf(tx, router.id)
      let port: R | undefined
      if (body.port_id) {
        port = ports.find((p) => p.id === body.port_id)
        if (!port) throw notFoundTyped('RouterInterfaceNotFound', `Router ${router.id} does not have an interface with id ${body.port_id}`)
      } else {
        await this.getVisible(a, 'subnets', body.subnet_id, tx)
        port = ports.find((p) => (p.fixed_ips as FixedIp[]).some((f) => f.subnet_id === body.subnet_id))
        if (!port) throw notFoundTyped('RouterInterfaceNotFoundForSubnet', `Router ${router.id} has no interface on subnet ${body.subnet_id}`)
      }
      const subnets = (port.fixed_ips as FixedIp[]).map((f) => f.subnet_id)
      const fips = (await this.repo.all<R>('floatingips', tx)).filter((f) => f.router_id === router.id)
      const forwardings = await this.repo.all<R>('port_forwardings', tx)
      for (const f of fips) {
        // The floating IP's own port, or the ports its port forwardings lead to.
        const portIds = f.port_id ? [f.port_id] : forwardings.filter((pf) => pf.floatingip_id === f.id).map((pf) => pf.internal_port_id)
        for (const id of portIds) {
          const fp = await this.repo.get<R>('ports', id, tx)
          const onSubnet = (fp?.fixed_ips as FixedIp[] | undefined)?.find((x) => subnets.includes(x.subnet_id))
          if (onSubnet) {
            throw conflict('RouterInterfaceInUseByFloatingIP', `Router interface for subnet ${onSubnet.subnet_id} on router ${router.id} cannot be deleted, as it is required by one or more floating IPs.`)
          }
        }
      }
      await this.repo.remove(tx, 'ports', port.id)
      return { id: router.id, tenant_id: router.project_id, project_id: router.project_id, port_id: port.id, network_id: port.network_id, subnet_id: subnets[0], subnet_ids: subnets }
    })
  }

  // ---- floating IPs -----------------------------------------------------------------------------------------

  async createFloatingIp(a: Actor, body: Body): Promise<R> {
    onlyKnown(body, ['floating_network_id', 'floating_ip_address', 'subnet_id', 'port_id', 'fixed_ip_address', 'description', 'dns_name', 'dns_domain'])
    if (typeof body.floating_network_id !== 'string') throw new BadRequest("Invalid input for floating_network_id. Reason: 'None' is not a valid UUID.", 'floating_network_id')
    if (body.floating_ip_address !== undefined && !a.admin) throw new Forbidden('(rule:create_floatingip and rule:create_floatingip:floating_ip_address) is disallowed by policy')
    const project = this.owner(a, body)
    return this.withHostPorts(typeof body.port_id === 'string', (hostPorts) =>
      this.tx(async (tx) => {
        const net = await this.getVisible(a, 'networks', body.floating_network_id, tx)
        if (!net['router:external']) throw badRequest('BadRequest', `Bad floatingip request: Network ${net.id} is not a valid external network.`)
        await this.checkQuota(tx, 'floatingips', project)
        const fip: R = { ...base(project) }
        const fixed = body.floating_ip_address ? [{ ip_address: body.floating_ip_address, ...(body.subnet_id ? { subnet_id: body.subnet_id } : {}) }] : body.subnet_id ? [{ subnet_id: body.subnet_id }] : undefined
        const port = await this.createPort({ projectId: '', admin: true }, { network_id: net.id, device_owner: OWNER.floatingIp, device_id: fip.id, fixed_ips: fixed }, { tx, project: '' })
        if (!port.fixed_ips.length) throw ipExhausted(net.id)
        Object.assign(fip, {
          floating_network_id: net.id,
          floating_ip_address: port.fixed_ips[0].ip_address,
          fixed_ip_address: null,
          port_id: null,
          router_id: null,
          status: 'DOWN',
          description: str(body.description ?? '', 'description'),
          host_forwards: [],
          tags: [],
          _port_id: port.id,
        })
        if (body.port_id) await this.associate(a, tx, fip, body.port_id, body.fixed_ip_address, hostPorts)
        await this.repo.insert(tx, 'floatingips', fip)
        return fip
      }),
    )
  }

  private async updateFloatingIp(a: Actor, cur: R, body: Body, tx: SqlExecutor, hostPorts: HostPortCandidates): Promise<R> {
    onlyKnown(body, ['port_id', 'fixed_ip_address', 'description'])
    const next: R = { ...cur, ...pick(body, ['description']) }
    if ('port_id' in body) {
      // Disassociating frees the host forwards; a floating IP that is not associated (port forwardings) keeps its router.
      if (body.port_id === null) {
        if (cur.port_id) Object.assign(next, { port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN', host_forwards: [] })
      } else {
        await this.associate(a, tx, next, body.port_id, body.fixed_ip_address, hostPorts)
      }
    }
    return next
  }

  /** The router with a gateway on `externalNetworkId` and an interface on `subnetId` (Neutron's get_router_for_floatingip). */
  private async routerFor(tx: SqlExecutor, externalNetworkId: string, subnetId: string): Promise<string | undefined> {
    const routers = (await this.repo.all<R>('routers', tx)).filter((r) => r.external_gateway_info?.network_id === externalNetworkId)
    for (const r of routers) {
      const ifaces = await this.interfacesOf(tx, r.id)
      if (ifaces.some((p) => (p.fixed_ips as FixedIp[]).some((f) => f.subnet_id === subnetId))) return r.id
    }
    return undefined
  }

  /** Neutron's _get_assoc_data: the port's fixed IP, and the router joining its subnet to the floating network. */
  private async associate(a: Actor, tx: SqlExecutor, fip: R, portId: string, fixedIp: string | undefined, hostPorts: HostPortCandidates): Promise<void> {
    if ((await this.repo.portForwardingsOf(fip.id, tx)).length) {
      throw conflict('FipInUseByPortForwarding', `Floating IP ${fip.id} in use by Port Forwarding resources.`)
    }
    const port = await this.getVisible(a, 'ports', portId, tx)
    if (!a.admin && port.project_id !== fip.project_id) throw notFound('ports', portId)
    const v4 = (port.fixed_ips as FixedIp[]).filter((f) => isIpv4(f.ip_address))
    let fixed: FixedIp | undefined
    if (fixedIp) {
      fixed = v4.find((f) => f.ip_address === fixedIp)
      if (!fixed) throw badRequest('BadRequest', `Bad floatingip request: Port ${portId} does not have fixed ip ${fixedIp}.`)
    } else {
      if (!v4.length) throw badRequest('BadRequest', `Bad floatingip request: Port ${portId} does not have any IPv4 address.`)
      if (v4.length > 1) throw badRequest('BadRequest', `Bad floatingip request: Port ${portId} has multiple fixed IPv4 addresses. Must provide a specific IPv4 address when assigning a floating IP.`)
      fixed = v4[0]!
    }
    const other = (await this.repo.all<R>('floatingips', tx)).find(
      (f) => f.id !== fip.id && f.port_id === portId && f.fixed_ip_address === fixed!.ip_address && f.floating_network_id === fip.floating_network_id,
    )
    if (other) {
      throw conflict('FloatingIPPortAlreadyAssociated', `Cannot associate floating IP ${fip.floating_ip_address} (${fip.id}) with port ${portId} using fixed IP ${fixed.ip_address}, as that fixed IP already has a floating IP on external network ${fip.floating_network_id}.`)
    }
    const routerId = await this.routerFor(tx, fip.floating_network_id, fixed.subnet_id)
    if (!routerId) {
      throw notFoundTyped('ExternalGatewayForFloatingIPNotFound', `External network ${fip.floating_network_id} is not reachable from subnet ${fixed.subnet_id}.  Therefore, cannot associate Port ${portId} with a Floating IP.`)
    }
    Object.assign(fip, { port_id: portId, fixed_ip_address: fixed.ip_address, router_id: routerId, status: 'ACTIVE' })
    await this.assignHostForwards(tx, fip, hostPorts)
  }

  private async disassociateFloatingIps(tx: SqlExecutor, portId: string): Promise<void> {
    for (const f of await this.repo.all<R>('floatingips', tx)) {
      if (f.port_id === portId) {
        await this.repo.update(tx, 'floatingips', { ...f, port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN', host_forwards: [], updated_at: now(), revision_number: f.revision_number + 1 })
      }
    }
  }

  // ---- host ports: host forwards and port forwardings' external ports ---------------------------------------

  /** Every host port a record holds (hostPortKey → who holds it), but those of `except`. */
  private async usedHostPorts(q: SqlExecutor, except: { floatingipId?: string; portForwardingId?: string } = {}): Promise<Map<string, string>> {
    const used = new Map<string, string>()
    const fips = await this.repo.all<R>('floatingips', q)
    const address = new Map(fips.map((f) => [f.id, f.floating_ip_address as string]))
    for (const f of fips) {
      if (f.id === except.floatingipId || !f.port_id) continue
      for (const h of (f.host_forwards ?? []) as HostForward[]) used.set(hostPortKey(h.protocol, h.host_port), `a host forward of floating IP ${f.floating_ip_address}`)
    }
    for (const pf of await this.repo.all<R>('port_forwardings', q)) {
      if (pf.id === except.portForwardingId) continue
      used.set(hostPortKey(pf.protocol, pf.external_port), `port forwarding ${pf.id} of floating IP ${address.get(pf.floatingip_id) ?? pf.floatingip_id}`)
    }
    return used
  }

  /**
   * Runs `work` with host ports for a floating IP's host forwards probed free beforehand (binding is I/O, so it
   * happens outside the transaction); when another request took them in between, probes again.
   */
  private async withHostPorts<T>(needed: boolean, work: (hostPorts: HostPortCandidates) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const hostPorts = needed || attempt > 1 ? await this.hostPortCandidates() : undefined
      try {
        return await work(hostPorts)
      } catch (err) {
        if (!(err instanceof HostPortRace)) throw err
        if (attempt >= 5) throw conflict('HostPortInUse', 'Could not reserve host ports for the floating IP: other requests kept taking them. Try again.')
      }
    }
  }

  private async hostPortCandidates(): Promise<Map<HostProtocol, number[]>> {
    const used = new Set((await this.usedHostPorts(this.repo.db)).keys())
    const out = new Map<HostProtocol, number[]>()
    for (const protocol of new Set(HOST_FORWARDED_PORTS.map((h) => h.protocol))) {
      const count = HOST_FORWARDED_PORTS.filter((h) => h.protocol === protocol).length
      out.set(protocol, await findFreeHostPorts(protocol, count, this.hostForwardRange, used, this.probe))
    }
    return out
  }

  /** An associated floating IP's host forwards: kept while it stays associated, else taken from the probed candidates. */
  private async assignHostForwards(tx: SqlExecutor, fip: R, hostPorts: HostPortCandidates): Promise<void> {
    if ((fip.host_forwards ?? []).length) return
    if (!hostPorts) throw new HostPortRace()
    const used = await this.usedHostPorts(tx, { floatingipId: fip.id })
    const left = new Map([...hostPorts].map(([k, v]) => [k, [...v]]))
    const forwards: HostForward[] = []
    for (const h of HOST_FORWARDED_PORTS) {
      const port = left.get(h.protocol)?.shift()
      if (port === undefined) {
        const { min, max } = this.hostForwardRange
        throw conflict(
          'HostPortsExhausted',
          `No free port in ${min}-${max} on this computer's 127.0.0.1 to forward to port ${h.internal_port}/${h.protocol} of floating IP ${fip.floating_ip_address}: disassociate other floating IPs, or stop the programs holding ports in that range.`,
        )
      }
      if (used.has(hostPortKey(h.protocol, port))) throw new HostPortRace()
      forwards.push({ protocol: h.protocol, internal_port: h.internal_port, host_port: port })
    }
    fip.host_forwards = forwards
  }

  // ---- floating IP port forwardings (floating-ip-port-forwarding) ------------------------------------------

  listPortForwardings(fip: R): Promise<R[]> {
    return this.repo.portForwardingsOf(fip.id) as Promise<R[]>
  }

  /** @throws PortForwardingNotFound, also for one of another floating IP */
  async getPortForwarding(fip: R, id: string, q: SqlExecutor = this.repo.db): Promise<R> {
    const pf = await this.repo.get<R>('port_forwardings', id, q)
    if (!pf || pf.floatingip_id !== fip.id) throw notFoundTyped('PortForwardingNotFound', `Port Forwarding ${id} could not be found.`)
    return pf
  }

  async createPortForwarding(a: Actor, fip: R, body: Body): Promise<R> {
    const fields = checkPortForwarding(body, true)
    await this.checkExternalPortFree(fields.protocol, fields.external_port)
    return this.tx(async (tx) => {
      const cur = await this.repo.get<R>('floatingips', fip.id, tx)
      if (!cur) throw notFound('floatingips', fip.id)
      const pf: R = { ...base(cur.project_id), floatingip_id: cur.id, description: '', ...fields }
      await this.placePortForwarding(a, tx, cur, pf, true)
      await this.repo.insert(tx, 'port_forwardings', pf)
      return pf
    })
  }

  async updatePortForwarding(a: Actor, fip: R, pf: R, body: Body): Promise<R> {
    const fields = checkPortForwarding(body, false)
    const protocol = fields.protocol ?? pf.protocol
    const external = fields.external_port ?? pf.external_port
    if (protocol !== pf.protocol || external !== pf.external_port) await this.checkExternalPortFree(protocol, external, pf.id)
    return this.tx(async (tx) => {
      const cur = await this.getPortForwarding(fip, pf.id, tx)
      const owner = await this.repo.get<R>('floatingips', fip.id, tx)
      if (!owner) throw notFound('floatingips', fip.id)
      const portChanged = fields.internal_port_id !== undefined && fields.internal_port_id !== cur.internal_port_id
      const next: R = { ...cur, ...fields, updated_at: now(), revision_number: cur.revision_number + 1 }
      // Another port: its first IPv4 address unless one is given.
      if (portChanged && fields.internal_ip_address === undefined) delete next.internal_ip_address
      await this.placePortForwarding(a, tx, owner, next, portChanged)
      await this.repo.update(tx, 'port_forwardings', next)
      return next
    })
  }

  async deletePortForwarding(fip: R, pf: R): Promise<void> {
    await this.tx(async (tx) => this.dropPortForwardings(tx, [await this.getPortForwarding(fip, pf.id, tx)]))
  }

  /** Outside the transaction: the external port is no record's and nothing on this computer holds it. */
  private async checkExternalPortFree(protocol: HostProtocol, port: number, exceptId?: string): Promise<void> {
    const holder = (await this.usedHostPorts(this.repo.db, { portForwardingId: exceptId })).get(hostPortKey(protocol, port))
    if (holder) throw externalPortTaken(protocol, port, holder)
    if (!(await this.probe(protocol, port))) {
      throw conflict(
        'HostPortInUse',
        `External port ${port}/${protocol} is in use on this computer by another program. Here a port forwarding's external port is a port on this computer's 127.0.0.1: choose one that is free.`,
      )
    }
  }

  /**
   * Neutron's checks of a port forwarding (pf_plugin), in the transaction: a free floating IP; a port of its project
   * with the internal address; a router from that port's subnet to the floating network; no duplicate inside or
   * outside. The floating IP takes that router (and is ACTIVE) while it has port forwardings.
   */
  private async placePortForwarding(a: Actor, tx: SqlExecutor, fip: R, pf: R, portChanged: boolean): Promise<void> {
    if (fip.port_id) {
      throw conflict(
        'FloatingIPPortAlreadyAssociated',
        `Floating IP ${fip.floating_ip_address} (${fip.id}) is associated with port ${fip.port_id}: a floating IP has either an associated port or port forwardings. Disassociate it first.`,
      )
    }
    const port = await this.getVisible(a, 'ports', pf.internal_port_id, tx)
    if (port.project_id !== fip.project_id) throw notFound('ports', pf.internal_port_id)
    const v4 = (port.fixed_ips as FixedIp[]).filter((f) => isIpv4(f.ip_address))
    if (!v4.length) throw badRequest('BadRequest', `Requested internal port ${port.id} must allocate an IPv4 address at least.`)
    pf.internal_ip_address ??= v4[0]!.ip_address
    const fixed = v4.find((f) => f.ip_address === pf.internal_ip_address)
    if (!fixed) {
      throw badRequest(
        'BadRequest',
        `Requested internal IP address ${pf.internal_ip_address} is not suitable for internal neutron port ${port.id}, as its fixed_ips are ${v4.map((f) => f.ip_address).join(', ')}`,
      )
    }
    if (portChanged) {
      const bound = (await this.repo.all<R>('floatingips', tx)).find((f) => f.port_id === port.id)
      if (bound) {
        throw conflict(
          'PortHasBindingFloatingIP',
          `Cannot create port forwarding to floating IP ${fip.floating_ip_address} (${fip.id}) with port ${port.id} using fixed IP ${pf.internal_ip_address}, as that port already has a binding floating IP.`,
        )
      }
    }
    const routerId = await this.routerFor(tx, fip.floating_network_id, fixed.subnet_id)
    if (!routerId) {
      throw badRequest(
        'BadRequest',
        `External network ${fip.floating_network_id} is not reachable from subnet ${fixed.subnet_id}. Cannot set Port forwarding for port ${port.id} with Floating IP ${fip.id}`,
      )
    }
    const others = (await this.repo.all<R>('port_forwardings', tx)).filter((x) => x.id !== pf.id)
    if (fip.router_id && fip.router_id !== routerId && others.some((x) => x.floatingip_id === fip.id)) {
      throw badRequest('BadRequest', `The Floating IP ${fip.id} had been set on router ${fip.router_id}, the internal Neutron port ${port.id} can not reach it`)
    }
    const same = others.find(
      (x) => x.internal_port_id === pf.internal_port_id && x.internal_ip_address === pf.internal_ip_address && x.internal_port === pf.internal_port && x.protocol === pf.protocol,
    )
    if (same) {
      const values = { internal_port_id: pf.internal_port_id, internal_ip_address: pf.internal_ip_address, internal_port: pf.internal_port, protocol: pf.protocol }
      throw badRequest('BadRequest', `A duplicate port forwarding entry with same attributes already exists, conflicting values are ${pyDict(values)}`)
    }
    const holder = (await this.usedHostPorts(tx, { portForwardingId: pf.id })).get(hostPortKey(pf.protocol, pf.external_port))
    if (holder) throw externalPortTaken(pf.protocol, pf.external_port, holder)
    if (fip.router_id !== routerId || fip.status !== 'ACTIVE') {
      await this.repo.update(tx, 'floatingips', { ...fip, router_id: routerId, status: 'ACTIVE', updated_at: now(), revision_number: fip.revision_number + 1 })
    }
  }

  /** Deletes port forwardings; a floating IP left without any (and not associated) lets its router go, as in Neutron. */
  private async dropPortForwardings(tx: SqlExecutor, pfs: R[]): Promise<void> {
    for (const pf of pfs) await this.repo.remove(tx, 'port_forwardings', pf.id)
    for (const fipId of new Set(pfs.map((pf) => pf.floatingip_id as string))) {
      if ((await this.repo.portForwardingsOf(fipId, tx)).length) continue
      const f = await this.repo.get<R>('floatingips', fipId, tx)
      if (f && !f.port_id) await this.repo.update(tx, 'floatingips', { ...f, router_id: null, status: 'DOWN', updated_at: now(), revision_number: f.revision_number + 1 })
    }
  }

  // ---- first start ------------------------------------------------------------------------------------------

  /**
   * DevStack's topology, once: public (external) + public-subnet; demo's private + private-subnet + router1.
   * Each step first looks for what an interrupted earlier start may have made, so a crash never duplicates it;
   * the `seeded` row makes later starts skip it (a user may delete these resources for good).
   */
  async seed(adminProject: string | undefined, demoProject: string | undefined): Promise<void> {
    if (!adminProject || (await this.repo.getMeta('seeded'))) return
    const find = async (kind: Kind, project: string, name: string) =>
      (await this.repo.all<R>(kind)).find((r) => r.project_id === project && r.name === name)
    const admin: Actor = { projectId: adminProject, admin: true }
    const pub = (await find('networks', adminProject, 'public')) ?? (await this.createNetwork(admin, { name: 'public', 'router:external': true, shared: false }))
    const pubSub = await find('subnets', adminProject, 'public-subnet')
    if (!pubSub) {
      await this.createSubnet(admin, {
        name: 'public-subnet', network_id: pub.id, ip_version: 4, cidr: '172.24.4.0/24', gateway_ip: '172.24.4.1',
        // .254, the subnet's last address, is the host uplink's (see reservedAddress).
        allocation_pools: [{ start: '172.24.4.2', end: '172.24.4.253' }], enable_dhcp: false,
      })
    }
    if (demoProject) {
      const demo: Actor = { projectId: demoProject, admin: false }
      const priv = (await find('networks', demoProject, 'private')) ?? (await this.createNetwork(demo, { name: 'private' }))
      const sub = (await find('subnets', demoProject, 'private-subnet')) ?? (await this.createSubnet(demo, { name: 'private-subnet', network_id: priv.id, ip_version: 4, cidr: '10.0.0.0/26' }))
      const router = (await find('routers', demoProject, 'router1')) ?? (await this.createRouter(demo, { name: 'router1', external_gateway_info: { network_id: pub.id } }))
      const attached = (await this.repo.portsOfDevice(router.id)).some((p) => (p.fixed_ips as FixedIp[]).some((f) => f.subnet_id === sub.id))
      if (!attached) await this.addRouterInterface(demo, router, { subnet_id: sub.id })
    }
    await this.tx((tx) => this.repo.setMeta(tx, 'seeded', now()))
    this.log.info('network topology seeded', { admin_project: adminProject, demo_project: demoProject ?? null })
  }

  // ---- for compute (clients.network) ------------------------------------------------------------------------

  portsOfDevice(deviceId: string): Promise<R[]> {
    return this.repo.portsOfDevice(deviceId) as Promise<R[]>
  }

  /** The resource if it exists and `a` may see it. */
  async findVisible(a: Actor, kind: Kind, id: string): Promise<R | undefined> {
    const res = await this.repo.get<R>(kind, id)
    return res && (await this.visible(a, kind, res, this.repo.db)) ? res : undefined
  }

  /** Rows by id, whoever owns them; unknown ids are left out. */
  async byIds(kind: Kind, ids: string[]): Promise<Map<string, R>> {
    const wanted = new Set(ids)
    return new Map((await this.repo.all<R>(kind)).filter((r) => wanted.has(r.id)).map((r) => [r.id, r]))
  }

  /**
   * Nova's `networks: "auto"`: the project's own non-external network when it has exactly one; with none, the one
   * shared non-external network; 'ambiguous' when either step finds several; undefined when there is nothing.
   */
  async autoNetwork(a: Actor): Promise<R | undefined | 'ambiguous'> {
    const nets = (await this.repo.all<R>('networks')).filter((n) => n['router:external'] !== true)
    const one = (list: R[]) => (list.length === 1 ? list[0] : list.length > 1 ? 'ambiguous' : undefined)
    const own = nets.filter((n) => n.project_id === a.projectId)
    return own.length ? one(own) : one(nets.filter((n) => n.shared === true))
  }

  /**
   * Security group names or ids as Nova takes them (`--security-group`) → ids: an id of a group `a` may see, or the
   * name of one of its project's groups (`default` is created on first use, as listing would).
   * @throws 400 SecurityGroupNotFound naming the group; 409 NoUniqueMatch when a name is not unique
   */
  async securityGroupIds(a: Actor, namesOrIds: string[]): Promise<string[]> {
    if (namesOrIds.includes('default')) await this.ensureDefaultGroup(a.projectId)
    const groups = await this.repo.all<R>('security_groups')
    const ids = namesOrIds.map((x) => {
      const byId = groups.find((g) => g.id === x && (a.admin || g.project_id === a.projectId))
      if (byId) return byId.id
      const byName = groups.filter((g) => g.project_id === a.projectId && g.name === x)
      if (byName.length > 1) throw conflict('NoUniqueMatch', `Multiple security groups found matching '${x}'. Use an ID to be more specific.`)
      if (!byName.length) throw badRequest('SecurityGroupNotFound', `Security group ${x} not found for project ${a.projectId}.`)
      return byName[0]!.id
    })
    return [...new Set(ids)]
  }

  /** port id → the floating IP addresses associated with it. */
  async floatingIpsOfPorts(portIds: string[]): Promise<Map<string, string[]>> {
    const wanted = new Set(portIds)
    const out = new Map<string, string[]>()
    for (const f of await this.repo.all<R>('floatingips')) {
      if (f.port_id && wanted.has(f.port_id)) out.set(f.port_id, [...(out.get(f.port_id) ?? []), f.floating_ip_address])
    }
    return out
  }
}
