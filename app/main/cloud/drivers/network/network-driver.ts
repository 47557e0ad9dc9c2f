/**
 * The data-plane boundary of the network service (what os-vif + an ML2 mechanism driver + the L3/DHCP/metadata
 * agents are in Neutron). The network service owns the records and validates every change in its transaction; after
 * each commit it hands the driver the whole desired state (a Topology snapshot) and the driver makes reality match
 * it. Switch ports, sockets and helper processes never escape a driver: the service and compute see only these types.
 *
 * The default driver is the userspace switch (drivers/network/userspace). A Linux-bridge/tap driver or a Hyper-V
 * virtual-switch driver would sit behind the same interface.
 */

export interface TopologySubnet {
  id: string
  network_id: string
  cidr: string
  ip_version: 4 | 6
  gateway_ip: string | null
  enable_dhcp: boolean
  dns_nameservers: string[]
  host_routes: { destination: string; nexthop: string }[]
  allocation_pools: { start: string; end: string }[]
}

export interface TopologyNetwork {
  id: string
  name: string
  mtu: number
  external: boolean
  admin_state_up: boolean
  subnets: TopologySubnet[]
}

export interface TopologyPort {
  id: string
  network_id: string
  mac_address: string
  fixed_ips: { subnet_id: string; ip_address: string }[]
  /** 'compute:nova', 'network:router_interface', 'network:router_gateway', 'network:floatingip', 'network:dhcp', '' */
  device_owner: string
  device_id: string
  admin_state_up: boolean
  port_security_enabled: boolean
  allowed_address_pairs: { ip_address: string; mac_address: string }[]
  security_groups: string[]
  /** The name DHCP hands out (option 12): dns_name, else Neutron's `host-10-0-0-5`. */
  hostname: string
}

export interface TopologyRule {
  id: string
  direction: 'ingress' | 'egress'
  ethertype: 'IPv4' | 'IPv6'
  /** null = any; otherwise a lower-case name ('tcp', 'udp', 'icmp', …) or a protocol number as a string. */
  protocol: string | null
  port_range_min: number | null
  port_range_max: number | null
  remote_ip_prefix: string | null
  remote_group_id: string | null
}

export interface TopologySecurityGroup {
  id: string
  rules: TopologyRule[]
}

export interface TopologyRouter {
  id: string
  admin_state_up: boolean
  /** The router's port on an external network (device_owner network:router_gateway), or null. */
  gateway_port_id: string | null
  enable_snat: boolean
  /** Its ports on tenant subnets (device_owner network:router_interface). */
  interface_port_ids: string[]
  routes: { destination: string; nexthop: string }[]
}

/** A host port on 127.0.0.1 that reaches the floating IP's instance (this cloud's stand-in for a public address). */
export interface HostForward {
  protocol: 'tcp' | 'udp'
  /** The port on the instance (and on the floating IP). */
  internal_port: number
  /** The port on the host's 127.0.0.1. */
  host_port: number
}

/** A floating IP port forwarding (Neutron's port_forwardings extension): external_port is the host port here. */
export interface TopologyPortForwarding {
  id: string
  protocol: 'tcp' | 'udp'
  internal_port_id: string
  internal_ip_address: string
  internal_port: number
  external_port: number
}

export interface TopologyFloatingIp {
  id: string
  floating_ip_address: string
  floating_network_id: string
  router_id: string | null
  port_id: string | null
  fixed_ip_address: string | null
  /** For an associated floating IP: host ports forwarded to it (ssh 22 and http 80 by default). */
  host_forwards: HostForward[]
  port_forwardings: TopologyPortForwarding[]
}

/** The whole desired state of the data plane. */
export interface Topology {
  networks: TopologyNetwork[]
  ports: TopologyPort[]
  security_groups: TopologySecurityGroup[]
  routers: TopologyRouter[]
  floating_ips: TopologyFloatingIp[]
}

/** What the hypervisor attaches the guest NIC to; opaque to the network service. */
export interface NicBackend {
  /** 'stream': QEMU `-netdev stream` as a unix-socket server at `path` that the switch connects to. 'none': no data plane. */
  type: 'stream' | 'none'
  path?: string
}

/** An HTTP request for the metadata service at 169.254.169.254, already tied to the Neutron port it came from. */
export type MetadataHandler = (
  portId: string,
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
) => void

export interface NetworkDriver {
  readonly name: string
  /** Starts helpers (the host uplink, sockets). Called once before the first sync. */
  start(): Promise<void>
  /**
   * Makes the data plane match `topology`. Called at start and after every committed change; whatever it changes
   * (rules, routes, forwards) takes effect for running guests at once. Never throws for one bad record: it logs and
   * goes on with the rest.
   */
  sync(topology: Topology): Promise<void>
  /** What a guest NIC for this port attaches to. Stable for the port's lifetime (compute puts it in the guest's argv). */
  nicBackend(portId: string): NicBackend
  /** Is a guest connected to this port right now (Neutron's port status ACTIVE vs DOWN). */
  portConnected(portId: string): boolean
  /** Called whenever a port's connection state changes. */
  onPortStatus(listener: (portId: string, connected: boolean) => void): void
  /** Who answers the metadata requests (compute registers it: it knows the instances). */
  setMetadataHandler(handler: MetadataHandler): void
  /** Stops helpers and closes sockets; guests keep running and reconnect to the next start's switch. */
  stop(): Promise<void>
}

/** A driver that connects nothing (unit tests of the API; a cloud whose data plane could not start). */
export function noopNetworkDriver(): NetworkDriver {
  return {
    name: 'noop',
    async start() {},
    async sync() {},
    nicBackend: () => ({ type: 'none' }),
    portConnected: () => false,
    onPortStatus() {},
    setMetadataHandler() {},
    async stop() {},
  }
}
