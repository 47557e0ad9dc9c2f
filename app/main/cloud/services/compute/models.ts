export interface Flavor {
  id: string
  name: string
  vcpus: number
  ram: number
  disk: number
  ephemeral: number
  swap: number
  rxtx_factor: number
  is_public: boolean
  description: string | null
  extra_specs: Record<string, string>
}

export interface Keypair {
  user_id: string
  name: string
  type: 'ssh' | 'x509'
  public_key: string
  fingerprint: string
  created_at: string
}

export type VmState = 'building' | 'active' | 'stopped' | 'paused' | 'suspended' | 'error' | 'deleted'
export type TaskState =
  | 'scheduling'
  | 'spawning'
  | 'powering-off'
  | 'powering-on'
  | 'rebooting'
  | 'rebooting_hard'
  | 'pausing'
  | 'unpausing'
  | 'suspending'
  | 'resuming'
  | 'image_snapshot'
  | 'image_uploading'
  | 'rebuilding'
  | 'deleting'

export interface Fault {
  code: number
  message: string
  details?: string
  created: string
}

/** One NIC of a create request: a port of the user's, or a new port on a network (with a fixed IP, maybe). */
export interface NetworkRequest {
  network_id?: string
  port_id?: string
  fixed_ip?: string
}

/** A port an instance's NIC is on. */
export interface InstancePort {
  instance_id: string
  port_id: string
  /** NIC order (eth0, eth1, …). */
  position: number
  network_id: string
  mac_address: string
  /**
   * Nova's preserve_on_delete: the user passed this port in (networks[].port), so deleting the instance unbinds it;
   * otherwise compute created it and deletes it with the instance.
   */
  preserve_on_delete: boolean
}

/**
 * Boot from volume, as the create request asked (block_device_mapping_v2 with boot_index 0 and destination volume):
 * a new volume made from an image, or a volume the user has. `volume_id` is filled in once the volume exists.
 */
export interface BootVolume {
  source: 'image' | 'volume'
  image_id?: string
  /** GiB of the new volume (source image). */
  size?: number
  volume_id?: string
  delete_on_termination: boolean
}

/**
 * A volume compute has plugged (or is plugging) into an instance: Nova's block device mapping. `state` says how far
 * the attach or detach got, for the reconcile after a crash.
 */
export interface VolumeAttachment {
  volume_id: string
  instance_id: string
  /** The volume service's attachment id (reserve). */
  attachment_id: string
  /** The device name the guest sees: /dev/vda for a root volume, then /dev/vdb, /dev/vdc … */
  device: string
  state: 'attaching' | 'attached' | 'detaching'
  /** 0: the instance boots from it; null: a data volume. */
  boot_index: number | null
  delete_on_termination: boolean
  file: string
  format: 'qcow2' | 'raw'
  created_at: string
}

export interface ServerAddress {
  version: number
  addr: string
  'OS-EXT-IPS:type': 'fixed' | 'floating'
  'OS-EXT-IPS-MAC:mac_addr': string
}

export interface Instance {
  id: string
  name: string
  project_id: string
  user_id: string
  image_id: string | null
  flavor_id: string
  /** The flavor as it was when the instance was created (Nova keeps a copy). */
  flavor: Flavor
  vm_state: VmState
  task_state: TaskState | null
  power_state: number
  key_name: string | null
  key_data: string | null
  user_data: string | null
  config_drive: boolean
  availability_zone: string
  host: string | null
  /**
   * Where the instance's NICs go. A list: Neutron ports, one a request, in NIC order (compute_instance_ports records
   * the port each one got). 'none': no NIC. 'auto': one NIC on QEMU user-mode NAT ('user-net'): instances of a cloud
   * whose network driver has no data plane (noop) and those made before the network service existed. A request's
   * 'auto' on a cloud with a data plane is resolved at create time into a list.
   */
  networks: 'auto' | 'none' | NetworkRequest[]
  /** Boot from volume (null: the root disk is an overlay over image_id). */
  boot_volume?: BootVolume | null
  /** Security groups (ids) for the ports compute creates; null: the network's default group. */
  security_group_ids: string[] | null
  /** Only for networks 'auto' (user-mode NAT); Neutron-port instances get theirs from the network service, live. */
  addresses: Record<string, ServerAddress[]>
  metadata: Record<string, string>
  fault: Fault | null
  reservation_id: string
  launch_index: number
  access_ipv4: string
  access_ipv6: string
  launched_at: string | null
  terminated_at: string | null
  created_at: string
  updated_at: string
}

export const QUOTA_DEFAULTS: Record<string, number> = {
  instances: 10,
  cores: 20,
  ram: 51200,
  key_pairs: 100,
  metadata_items: 128,
  injected_files: 5,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  server_groups: 10,
  server_group_members: 10,
}
