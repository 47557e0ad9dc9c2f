/** The collections of Neutron v2.0 this service implements, by their URL/JSON collection name. */
export const KINDS = ['networks', 'subnets', 'ports', 'security_groups', 'security_group_rules', 'routers', 'floatingips'] as const
export type Kind = (typeof KINDS)[number]

export const SINGULAR: Record<Kind, string> = {
  networks: 'network',
  subnets: 'subnet',
  ports: 'port',
  security_groups: 'security_group',
  security_group_rules: 'security_group_rule',
  routers: 'router',
  floatingips: 'floatingip',
}

/** The quota resource each collection counts against. */
export const QUOTA_RESOURCE: Record<Kind, string> = {
  networks: 'network',
  subnets: 'subnet',
  ports: 'port',
  security_groups: 'security_group',
  security_group_rules: 'security_group_rule',
  routers: 'router',
  floatingips: 'floatingip',
}

/** Neutron's defaults (neutron.conf [quotas]). */
export const DEFAULT_QUOTAS: Record<string, number> = {
  network: 100,
  subnet: 100,
  port: 500,
  router: 10,
  floatingip: 50,
  security_group: 10,
  security_group_rule: 100,
}

/**
 * A stored resource: its Neutron attributes as the API shows them (tenant_id is derived from project_id).
 * Values are JSON; each kind's attributes are documented by the Neutron api-ref and built in network-manager.ts.
 */
export interface Resource {
  id: string
  project_id: string
  created_at: string
  updated_at: string
  revision_number: number
  [attr: string]: unknown
}

export interface FixedIp {
  subnet_id: string
  ip_address: string
}

/** The device owners Neutron reserves for its own ports. */
export const OWNER = {
  routerInterface: 'network:router_interface',
  routerGateway: 'network:router_gateway',
  floatingIp: 'network:floatingip',
  dhcp: 'network:dhcp',
} as const
