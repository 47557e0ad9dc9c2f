/**
 * The data-plane boundary of the network service (os-vif plug/unplug + ML2 postcommit). The network service
 * does validation, IP allocation and quotas inside its transaction; a driver is called only after the commit.
 * Switch ports, taps and sockets never escape a driver: the service and compute see only these types.
 */

/** A network as the data plane needs it. */
export interface NetworkSpec {
  id: string
  name: string
  mtu: number
  external: boolean
  /** IPv4 subnets with their gateway (a router interface answers on it when one is attached). */
  subnets: { id: string; cidr: string; gateway_ip: string | null; enable_dhcp: boolean }[]
}

/** A port as the data plane needs it. */
export interface PortSpec {
  id: string
  network_id: string
  mac_address: string
  fixed_ips: { subnet_id: string; ip_address: string }[]
  port_security_enabled: boolean
  /** Extra addresses the port may send from (allowed_address_pairs). */
  allowed_address_pairs: { ip_address: string; mac_address: string }[]
}

/** The guest a port is plugged into (compute's instance id and its name for logs). */
export interface GuestRef {
  id: string
  name: string
}

/** What the hypervisor attaches the guest NIC to; opaque to the network service. */
export interface NicBackend {
  /** e.g. 'socket' (QEMU -netdev stream/dgram), 'tap', 'none'. */
  type: string
  /** Driver-specific arguments for the hypervisor driver (a socket path, a tap name, a switch name). */
  options: Record<string, string>
}

export interface NetworkDriver {
  /** After the network's row is committed. If it throws, the service deletes the network again. */
  networkCreated(net: NetworkSpec): Promise<void>
  /** After the network's row is gone. Idempotent: an unknown network is not an error. */
  networkDeleted(net: NetworkSpec): Promise<void>
  /** Connects a port to a guest; returns what the hypervisor attaches the NIC to. On failure nothing is left behind. */
  plug(port: PortSpec, guest: GuestRef): Promise<NicBackend>
  /** Disconnects a port from a guest. Idempotent. */
  unplug(port: PortSpec, guest: GuestRef): Promise<void>
}

/** The default until the userspace switch exists: records nothing, connects nothing. */
export const noopNetworkDriver: NetworkDriver = {
  async networkCreated() {},
  async networkDeleted() {},
  async plug() {
    return { type: 'none', options: {} }
  },
  async unplug() {},
}
