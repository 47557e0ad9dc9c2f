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

/** A network as compute sees it. */
export interface NetworkInfo {
  id: string
  name: string
  project_id: string
  shared: boolean
  'router:external': boolean
  mtu: number
  subnets: string[]
}

/** A subnet as compute sees it (for addresses, network_data.json and the metadata service). */
export interface SubnetInfo {
  id: string
  network_id: string
  cidr: string
  ip_version: number
  gateway_ip: string | null
  dns_nameservers: string[]
  host_routes: { destination: string; nexthop: string }[]
  enable_dhcp: boolean
}

/**
 * What compute asks the network service for: ports for its servers (boot with --nic / --network, delete), the
 * networks and subnets behind them, floating IPs for `addresses`, and the data-plane hooks (NIC backend, metadata).
 * ctx-taking calls apply the caller's visibility (a network of another project is "not found").
 */
export interface NetworkClient {
  /**
   * Creates a port for ctx's project (Neutron's create_port: network visibility, IPAM, quota, default group).
   * security_groups are ids (resolve names with securityGroupIds first).
   * @throws the network service's ApiErrors (404 network, 409 IpAddressGenerationFailure / OverQuota, …)
   */
  createPort(
    ctx: import('../platform/auth-context').AuthContext,
    fields: {
      network_id: string
      fixed_ips?: { subnet_id?: string; ip_address?: string }[]
      device_id?: string
      device_owner?: string
      security_groups?: string[]
      name?: string
      dns_name?: string
      'binding:host_id'?: string
    },
  ): Promise<PortInfo>
  /** Binds/unbinds a port (device_id, device_owner, binding:host_id, security_groups, dns_name) with the service's authority. */
  updatePort(portId: string, fields: Record<string, unknown>): Promise<PortInfo>
  /** Idempotent: a missing port is not an error. Disassociates its floating IPs. */
  deletePort(portId: string): Promise<void>
  portsOfDevice(deviceId: string): Promise<PortInfo[]>
  /** A port ctx may use, or undefined (also for another project's port). */
  getPort(ctx: import('../platform/auth-context').AuthContext, portId: string): Promise<PortInfo | undefined>
  /** A network ctx can see, or undefined. */
  getNetwork(ctx: import('../platform/auth-context').AuthContext, networkId: string): Promise<NetworkInfo | undefined>
  /** Networks by id, whoever owns them (for names in `addresses`). */
  networksById(ids: string[]): Promise<Map<string, NetworkInfo>>
  subnetsById(ids: string[]): Promise<Map<string, SubnetInfo>>
  /**
   * Nova's `networks: "auto"`: the project's own non-external network if it has exactly one, else the one shared
   * network; undefined when there is none (or several: ambiguous, like Nova's NetworkAmbiguous).
   */
  autoNetwork(ctx: import('../platform/auth-context').AuthContext): Promise<NetworkInfo | undefined | 'ambiguous'>
  /** Names or ids of ctx's security groups → ids. @throws a 400-ish ApiError naming the group that does not exist. */
  securityGroupIds(ctx: import('../platform/auth-context').AuthContext, namesOrIds: string[]): Promise<string[]>
  /** Floating IPs associated with any of these ports (port_id → addresses). */
  floatingIpsOfPorts(portIds: string[]): Promise<Map<string, string[]>>
  /** What the guest NIC of this port attaches to (from the network driver). */
  nicBackend(portId: string): import('../drivers/network/network-driver').NicBackend
  /** Compute registers who answers 169.254.169.254 (it knows the instances). */
  setMetadataHandler(handler: import('../drivers/network/network-driver').MetadataHandler): void
}

/** A volume as compute sees it: what it needs to attach it or boot from it. */
export interface VolumeInfo {
  id: string
  project_id: string
  name: string
  /** GiB */
  size: number
  status: string
  bootable: boolean
  /** Absolute path of the volume's disk file, and its format. */
  file: string
  format: 'qcow2' | 'raw'
  attachments: { attachment_id: string; server_id: string; device: string | null }[]
  /** volume_image_metadata (image properties copied when the volume was made from an image). */
  image_metadata: Record<string, string>
}

/**
 * What compute asks the volume service for (Nova's cinder client: reserve → attach → complete, begin_detaching →
 * detach, and create/delete for boot from volume). Every state change is checked in the volume service's
 * transaction and throws its ApiError (409 for a volume in the wrong state) so compute can answer with it.
 */
export interface VolumeClient {
  /** A volume ctx may use, or undefined (also another project's volume). */
  get(ctx: import('../platform/auth-context').AuthContext, volumeId: string): Promise<VolumeInfo | undefined>
  /** available → attaching (reserved for this server); returns the new attachment id. @throws 409 in another state */
  reserve(ctx: import('../platform/auth-context').AuthContext, volumeId: string, serverId: string): Promise<string>
  /** attaching → in-use, recording the guest device name (e.g. /dev/vdb). */
  completeAttach(volumeId: string, attachmentId: string, device: string): Promise<VolumeInfo>
  /** attaching → available again (the attach failed or was abandoned); the attachment is deleted. */
  unreserve(volumeId: string, attachmentId: string): Promise<void>
  /** in-use → detaching. @throws 409 in another state */
  beginDetaching(volumeId: string, attachmentId: string): Promise<void>
  /** detaching → in-use again (the guest did not let go). */
  rollDetaching(volumeId: string, attachmentId: string): Promise<void>
  /** detaching → available; the attachment is deleted. */
  completeDetach(volumeId: string, attachmentId: string): Promise<void>
  /** Every attachment the volume service records for a server (reconcile, delete of the server). */
  attachmentsOfServer(serverId: string): Promise<{ volume_id: string; attachment_id: string; device: string | null }[]>
  /**
   * Boot from volume (block_device_mapping_v2 source image → destination volume): creates a volume for ctx's
   * project from the image, counting quota, and resolves when it is available (or throws with the reason).
   */
  createFromImage(ctx: import('../platform/auth-context').AuthContext, fields: { image_id: string; size: number; name: string }): Promise<VolumeInfo>
  /** delete_on_termination: deletes a volume that is available again after its server went. */
  deleteVolume(volumeId: string): Promise<void>
}

/** What the volume service asks compute for (Nova's os-server-external-events from Cinder). */
export interface ComputeClient {
  /** A volume attached to this server grew: tell the running guest (QMP block_resize). */
  volumeExtended(serverId: string, volumeId: string, newSizeBytes: number): Promise<void>
  /** Server names and projects for volume attachment views and checks; undefined when gone. */
  serverExists(serverId: string): Promise<boolean>
}

/**
 * What other services (volume backups, the image store backend) ask the object store for: objects of a project's
 * account by stream, with the service's authority (no token; the caller decides whose account it is).
 */
export interface ObjectStoreClient {
  /** Creates the container if it does not exist. Idempotent. */
  ensureContainer(projectId: string, container: string): Promise<void>
  /**
   * Stores the stream as the object (durable when this resolves; on failure nothing is visible). `size`, when
   * given, must match. Metadata keys become X-Object-Meta-<key>. @throws the object store's ApiErrors (404 container)
   */
  putObject(
    projectId: string,
    container: string,
    name: string,
    source: import('node:stream').Readable,
    opts?: { contentType?: string; metadata?: Record<string, string>; size?: number },
  ): Promise<{ etag: string; size: number }>
  /** The object (large objects assembled), or undefined when it does not exist. */
  getObject(projectId: string, container: string, name: string): Promise<{ size: number; etag: string; contentType: string; open(): import('node:stream').Readable } | undefined>
  /** Idempotent. */
  deleteObject(projectId: string, container: string, name: string): Promise<void>
  listObjects(projectId: string, container: string, prefix?: string): Promise<{ name: string; size: number; etag: string }[]>
}

export interface ServiceClients {
  identity: IdentityClient
  image: ImageClient
  network: NetworkClient
  volume: VolumeClient
  compute: ComputeClient
  objectStore: ObjectStoreClient
}
