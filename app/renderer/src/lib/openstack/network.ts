import type { OpenStackClient, RequestOptions } from './client'

/**
 * Thin Neutron v2.0 calls (as Horizon's api.neutron): one function per API call, wire JSON in OpenStack's
 * spelling, no UI concerns. Paths are relative to the catalog's network endpoint (`/networking`), so they read
 * `/v2.0/…` like the API reference.
 */

export interface Network {
  id: string
  name: string
  description?: string
  status: string
  admin_state_up: boolean
  shared: boolean
  'router:external': boolean
  subnets: string[]
  mtu?: number
  project_id: string
}

export interface AllocationPool {
  start: string
  end: string
}

export interface Subnet {
  id: string
  name: string
  description?: string
  network_id: string
  ip_version: number
  cidr: string
  gateway_ip: string | null
  enable_dhcp: boolean
  allocation_pools?: AllocationPool[]
  dns_nameservers?: string[]
  project_id: string
}

export interface FixedIp {
  subnet_id: string
  ip_address: string
}

/** Neutron's own device owners; an instance's port has `compute:<availability zone>`. */
export const DEVICE_OWNER = {
  routerInterface: 'network:router_interface',
  routerGateway: 'network:router_gateway',
  floatingIp: 'network:floatingip',
  dhcp: 'network:dhcp',
} as const

export interface Port {
  id: string
  name: string
  description?: string
  network_id: string
  mac_address: string
  admin_state_up: boolean
  /** ACTIVE once bound to a host (an instance or a router uses it), DOWN otherwise. */
  status: string
  device_id: string
  device_owner: string
  fixed_ips: FixedIp[]
  security_groups: string[]
  port_security_enabled?: boolean
  project_id: string
  created_at?: string
}

export interface SecurityGroupRule {
  id: string
  security_group_id: string
  direction: 'ingress' | 'egress'
  ethertype: 'IPv4' | 'IPv6'
  protocol: string | null
  port_range_min: number | null
  port_range_max: number | null
  remote_ip_prefix: string | null
  remote_group_id: string | null
  description?: string
  project_id: string
}

export interface SecurityGroup {
  id: string
  name: string
  description: string
  project_id: string
  security_group_rules?: SecurityGroupRule[]
}

export interface Router {
  id: string
  name: string
  status: string
  admin_state_up: boolean
  external_gateway_info: { network_id: string; enable_snat?: boolean; external_fixed_ips?: { subnet_id: string; ip_address: string }[] } | null
  project_id: string
}

/**
 * Stackling extension of a floating IP: the loopback ports of this computer that reach the instance behind it
 * (`ssh -p <host_port> …@127.0.0.1`), since nothing outside the computer routes to the external network.
 */
export interface HostForward {
  protocol: string
  internal_port: number
  host_port: number
}

export interface FloatingIp {
  id: string
  floating_ip_address: string
  floating_network_id: string
  fixed_ip_address: string | null
  port_id: string | null
  router_id: string | null
  status: string
  description?: string
  project_id: string
  /** fip-port-details: the associated port's device (the instance). */
  port_details?: { name: string; network_id: string; mac_address: string; status: string; device_id: string; device_owner: string } | null
  host_forwards?: HostForward[]
  /** expose-port-forwarding-in-fip: a floating IP has either an associated port or port forwardings. */
  port_forwardings?: Pick<PortForwarding, 'protocol' | 'internal_ip_address' | 'internal_port' | 'external_port'>[]
}

/** A port forwarding of a floating IP; here `external_port` is the host port on 127.0.0.1. */
export interface PortForwarding {
  id: string
  protocol: string
  internal_ip_address: string
  internal_port: number
  internal_port_id: string
  external_port: number
  description?: string
}

export interface CreatePortForwardingBody {
  port_forwarding: { protocol: string; internal_ip_address: string; internal_port: number; internal_port_id: string; external_port: number; description?: string }
}

export interface CreatePortBody {
  port: { network_id: string; name?: string; fixed_ips?: { subnet_id?: string; ip_address?: string }[]; security_groups?: string[]; admin_state_up?: boolean }
}

export interface UpdatePortBody {
  port: { name?: string; security_groups?: string[]; admin_state_up?: boolean }
}

export interface CreateFloatingIpBody {
  floatingip: { floating_network_id: string; port_id?: string; fixed_ip_address?: string; description?: string }
}

export interface UpdateFloatingIpBody {
  floatingip: { port_id: string | null; fixed_ip_address?: string }
}

/** Filters of GET /v2.0/ports the dashboard uses (Neutron filters by any attribute). */
export interface PortFilters {
  network_id?: string
  /** '' asks for the ports without an owner; undefined does not filter. */
  device_owner?: string
  device_id?: string
}

export interface CreateNetworkBody {
  network: { name: string; admin_state_up?: boolean; shared?: boolean; 'router:external'?: boolean }
}

export interface CreateSubnetBody {
  subnet: {
    name?: string
    network_id: string
    ip_version: 4
    cidr: string
    gateway_ip?: string | null
    enable_dhcp?: boolean
    dns_nameservers?: string[]
    allocation_pools?: AllocationPool[]
  }
}

export interface CreateRuleBody {
  security_group_rule: {
    security_group_id: string
    direction: 'ingress' | 'egress'
    ethertype: 'IPv4'
    protocol?: string
    port_range_min?: number
    port_range_max?: number
    remote_ip_prefix?: string
    description?: string
  }
}

export const networkKeys = {
  all: ['network'] as const,
  networks: ['network', 'networks'] as const,
  subnets: ['network', 'subnets'] as const,
  securityGroups: ['network', 'security-groups'] as const,
  routers: ['network', 'routers'] as const,
  floatingIps: ['network', 'floatingips'] as const,
  ports: ['network', 'ports'] as const,
  portList: (f: PortFilters = {}) => ['network', 'ports', 'list', f.network_id ?? '', f.device_owner ?? '*', f.device_id ?? ''] as const,
  portForwardings: (fipId: string) => ['network', 'floatingips', 'port-forwardings', fipId] as const,
  topology: ['network', 'topology'] as const,
}

const enc = encodeURIComponent
const neutron = <T>(c: OpenStackClient, method: string, path: string, opts: RequestOptions = {}) => c.request<T>('network', method, `/v2.0${path}`, opts)

export const listNetworks = (c: OpenStackClient, signal?: AbortSignal) => neutron<{ networks: Network[] }>(c, 'GET', '/networks', { signal }).then((r) => r.body.networks ?? [])
export const listSubnets = (c: OpenStackClient, signal?: AbortSignal) => neutron<{ subnets: Subnet[] }>(c, 'GET', '/subnets', { signal }).then((r) => r.body.subnets ?? [])

/** POST /networks → 201. `shared` and `router:external` need the admin role. */
export const createNetwork = (c: OpenStackClient, body: CreateNetworkBody) => neutron<{ network: Network }>(c, 'POST', '/networks', { body }).then((r) => r.body.network)
export const createSubnet = (c: OpenStackClient, body: CreateSubnetBody) => neutron<{ subnet: Subnet }>(c, 'POST', '/subnets', { body }).then((r) => r.body.subnet)
/** DELETE /networks/{id} → 204; 409 NetworkInUse while ports (other than DHCP's) are on it. */
export const deleteNetwork = (c: OpenStackClient, id: string) => neutron<void>(c, 'DELETE', `/networks/${enc(id)}`).then(() => undefined)

export const listSecurityGroups = (c: OpenStackClient, signal?: AbortSignal) =>
  neutron<{ security_groups: SecurityGroup[] }>(c, 'GET', '/security-groups', { signal }).then((r) => r.body.security_groups ?? [])
export const createSecurityGroupRule = (c: OpenStackClient, body: CreateRuleBody) =>
  neutron<{ security_group_rule: SecurityGroupRule }>(c, 'POST', '/security-group-rules', { body }).then((r) => r.body.security_group_rule)
export const deleteSecurityGroupRule = (c: OpenStackClient, id: string) => neutron<void>(c, 'DELETE', `/security-group-rules/${enc(id)}`).then(() => undefined)

export const listRouters = (c: OpenStackClient, signal?: AbortSignal) => neutron<{ routers: Router[] }>(c, 'GET', '/routers', { signal }).then((r) => r.body.routers ?? [])
export const listFloatingIps = (c: OpenStackClient, signal?: AbortSignal) =>
  neutron<{ floatingips: FloatingIp[] }>(c, 'GET', '/floatingips', { signal }).then((r) => r.body.floatingips ?? [])

/** DELETE /subnets/{id} → 204; 409 SubnetInUse while ports (other than DHCP's) have addresses on it. */
export const deleteSubnet = (c: OpenStackClient, id: string) => neutron<void>(c, 'DELETE', `/subnets/${enc(id)}`).then(() => undefined)

/** GET /ports with filters (only those given are sent: the API drawer shows them as `port list --network …`). */
export const listPorts = (c: OpenStackClient, filters: PortFilters = {}, signal?: AbortSignal) =>
  neutron<{ ports: Port[] }>(c, 'GET', '/ports', { query: { network_id: filters.network_id || undefined, device_owner: filters.device_owner, device_id: filters.device_id || undefined }, signal }).then(
    (r) => r.body.ports ?? [],
  )
/** POST /ports → 201: an address on the network (a free one of its first subnet unless fixed_ips says which). */
export const createPort = (c: OpenStackClient, body: CreatePortBody) => neutron<{ port: Port }>(c, 'POST', '/ports', { body }).then((r) => r.body.port)
/** PUT /ports/{id} → 200; security_groups replaces the whole list. */
export const updatePort = (c: OpenStackClient, id: string, body: UpdatePortBody) => neutron<{ port: Port }>(c, 'PUT', `/ports/${enc(id)}`, { body }).then((r) => r.body.port)
/** DELETE /ports/{id} → 204; 409 for router and floating IP ports (remove the interface or release the address). */
export const deletePort = (c: OpenStackClient, id: string) => neutron<void>(c, 'DELETE', `/ports/${enc(id)}`).then(() => undefined)

/** POST /floatingips → 201: a free address of the external network, associated at once when port_id is given (`cli`: the drawer's command, with the pool's name). */
export const createFloatingIp = (c: OpenStackClient, body: CreateFloatingIpBody, opts: { cli?: string | null } = {}) =>
  neutron<{ floatingip: FloatingIp }>(c, 'POST', '/floatingips', { body, cli: opts.cli }).then((r) => r.body.floatingip)
/** PUT /floatingips/{id} → 200: port_id associates (404 ExternalGatewayForFloatingIPNotFound without a router), null disassociates. */
export const updateFloatingIp = (c: OpenStackClient, id: string, body: UpdateFloatingIpBody) =>
  neutron<{ floatingip: FloatingIp }>(c, 'PUT', `/floatingips/${enc(id)}`, { body }).then((r) => r.body.floatingip)
/** DELETE /floatingips/{id} → 204: the address goes back to the external network's pool. */
export const deleteFloatingIp = (c: OpenStackClient, id: string) => neutron<void>(c, 'DELETE', `/floatingips/${enc(id)}`).then(() => undefined)

export const listPortForwardings = (c: OpenStackClient, fipId: string, signal?: AbortSignal) =>
  neutron<{ port_forwardings: PortForwarding[] }>(c, 'GET', `/floatingips/${enc(fipId)}/port_forwardings`, { signal }).then((r) => r.body.port_forwardings ?? [])
export const createPortForwarding = (c: OpenStackClient, fipId: string, body: CreatePortForwardingBody) =>
  neutron<{ port_forwarding: PortForwarding }>(c, 'POST', `/floatingips/${enc(fipId)}/port_forwardings`, { body }).then((r) => r.body.port_forwarding)
export const deletePortForwarding = (c: OpenStackClient, fipId: string, id: string) =>
  neutron<void>(c, 'DELETE', `/floatingips/${enc(fipId)}/port_forwardings/${enc(id)}`).then(() => undefined)

/** A port's device owner in words, and where the device is shown in the dashboard (a hash route), if anywhere. */
export function describeDevice(port: Pick<Port, 'device_owner' | 'device_id'>): { kind: string; path?: string } {
  const o = port.device_owner
  const id = encodeURIComponent(port.device_id)
  if (o.startsWith('compute:')) return { kind: 'instance', path: port.device_id ? `/compute/instances/${id}` : undefined }
  if (o === DEVICE_OWNER.routerInterface) return { kind: 'router interface', path: `/network/routers/${id}` }
  if (o === DEVICE_OWNER.routerGateway) return { kind: 'router gateway', path: `/network/routers/${id}` }
  if (o === DEVICE_OWNER.floatingIp) return { kind: 'floating IP', path: '/network/floating-ips' }
  if (o === DEVICE_OWNER.dhcp) return { kind: 'DHCP server' }
  if (!o && !port.device_id) return { kind: 'unattached' }
  return { kind: o || 'device' }
}
