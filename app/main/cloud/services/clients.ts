/**
 * The internal clients through which one service asks another for something. A service never imports another
 * service's folder; start-cloud wires each client to its service once all have been created.
 */
export interface IdentityClient {
  /** The id of a project by name (domain Default unless given), or undefined. */
  projectIdByName(name: string, domainId?: string): Promise<string | undefined>
  projectExists(id: string): Promise<boolean>
}

/** An image as other services see it: what they need to boot from it. */
export interface ImageInfo {
  id: string
  name: string | null
  status: string
  owner: string
  disk_format: string | null
  min_disk: number
  min_ram: number
  size: number | null
  virtual_size: number | null
  properties: Record<string, string>
  /** Absolute path of the image data (only when active). */
  file: string | null
}

export interface ImageClient {
  /** The image if `ctx` may see it, else undefined. */
  get(ctx: import('../platform/auth-context').AuthContext, id: string): Promise<ImageInfo | undefined>
  /** Keeps an image's file alive while an instance or volume is built on it, even if the image is deleted. */
  hold(imageId: string, holder: string): Promise<void>
  release(imageId: string, holder: string): Promise<void>
  /** Creates an image for ctx's project from a file (a snapshot); the file is moved into the store. */
  createFromFile(
    ctx: import('../platform/auth-context').AuthContext,
    fields: { name: string; disk_format: 'qcow2' | 'raw'; min_disk?: number; min_ram?: number; properties?: Record<string, string> },
    file: string,
  ): Promise<ImageInfo>
  /** Creates a queued image record (for createImage, which answers before the data exists). */
  createQueued(
    ctx: import('../platform/auth-context').AuthContext,
    fields: { name: string; disk_format: 'qcow2' | 'raw'; min_disk?: number; min_ram?: number; properties?: Record<string, string> },
  ): Promise<ImageInfo>
  /** Uploads a file into a queued image (its data); the image becomes active, or killed on failure. */
  uploadFile(imageId: string, file: string): Promise<ImageInfo>
}

/** A port as compute sees it (Neutron's attributes). */
export interface PortInfo {
  id: string
  project_id: string
  network_id: string
  mac_address: string
  fixed_ips: { subnet_id: string; ip_address: string }[]
  device_id: string
  device_owner: string
  status: string
  'binding:host_id': string
  port_security_enabled: boolean
  security_groups: string[]
}

/** What compute asks the network service for: ports for its servers (os-interface, boot with --nic). */
export interface NetworkClient {
  /**
   * Creates a port for ctx's project (Neutron's create_port: network visibility, IPAM, quota, default group).
   * @throws the network service's ApiErrors (404 network, 409 IpAddressGenerationFailure / OverQuota, …)
   */
  createPort(
    ctx: import('../platform/auth-context').AuthContext,
    fields: { network_id: string; fixed_ips?: { subnet_id?: string; ip_address?: string }[]; device_id?: string; device_owner?: string; security_groups?: string[]; name?: string },
  ): Promise<PortInfo>
  /** Binds/unbinds a port (device_id, device_owner, binding:host_id) with the service's authority. */
  updatePort(portId: string, fields: Record<string, unknown>): Promise<PortInfo>
  /** Idempotent: a missing port is not an error. Disassociates its floating IPs. */
  deletePort(portId: string): Promise<void>
  portsOfDevice(deviceId: string): Promise<PortInfo[]>
}

export interface ServiceClients {
  identity: IdentityClient
  image: ImageClient
  network: NetworkClient
}
