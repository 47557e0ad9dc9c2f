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

export interface Subnet {
  id: string
  name: string
  network_id: string
  ip_version: number
  cidr: string
  gateway_ip: string | null
  enable_dhcp: boolean
  project_id: string
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
}

export interface CreateNetworkBody {
  network: { name: string; admin_state_up?: boolean; shared?: boolean; 'router:external'?: boolean }
}

export interface CreateSubnetBody {
  subnet: { name?: string; network_id: string; ip_version: 4; cidr: string; gateway_ip?: string | null; enable_dhcp?: boolean }
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
