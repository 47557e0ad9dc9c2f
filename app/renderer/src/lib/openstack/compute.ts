import type { OpenStackClient, RequestOptions } from './client'

/**
 * Thin Nova v2.1 calls (as Horizon's api.nova): one function per API call, wire JSON in OpenStack's spelling, no
 * UI concerns. Paths are relative to the catalog's compute endpoint (`/compute/v2.1`), so they read `/servers/…`
 * like the API reference. Every call asks for microversion 2.1 exactly: the shapes below are 2.1's.
 */

export const COMPUTE_MICROVERSION = '2.1'
const MICROVERSION_HEADERS = { 'OpenStack-API-Version': `compute ${COMPUTE_MICROVERSION}` }

export type ServerStatus =
  | 'ACTIVE'
  | 'BUILD'
  | 'SHUTOFF'
  | 'PAUSED'
  | 'SUSPENDED'
  | 'REBOOT'
  | 'HARD_REBOOT'
  | 'REBUILD'
  | 'ERROR'
  | 'DELETED'
  | 'UNKNOWN'

export type VmState = 'building' | 'active' | 'stopped' | 'paused' | 'suspended' | 'error' | 'deleted' | 'rescued' | 'resized' | 'shelved' | 'shelved_offloaded' | 'soft-delete'

export interface ServerAddress {
  version: number
  addr: string
  'OS-EXT-IPS:type'?: string
  'OS-EXT-IPS-MAC:mac_addr'?: string
}

export interface ServerFault {
  code: number
  message: string
  created: string
  /** Admins only: the traceback or the reasons behind the message. */
  details?: string
}

export interface Link {
  rel: string
  href: string
}

export interface Server {
  id: string
  name: string
  status: ServerStatus | (string & {})
  tenant_id: string
  user_id: string
  metadata: Record<string, string>
  hostId: string
  /** '' when the server boots from a volume. */
  image: { id: string; links?: Link[] } | ''
  flavor: { id: string; links?: Link[] }
  created: string
  updated: string
  addresses: Record<string, ServerAddress[]>
  accessIPv4: string
  accessIPv6: string
  links: Link[]
  key_name: string | null
  config_drive?: string
  progress?: number
  fault?: ServerFault
  'OS-DCF:diskConfig'?: string
  'OS-EXT-AZ:availability_zone'?: string
  'OS-SRV-USG:launched_at'?: string | null
  'OS-SRV-USG:terminated_at'?: string | null
  'OS-EXT-STS:task_state': string | null
  'OS-EXT-STS:vm_state': VmState | (string & {})
  'OS-EXT-STS:power_state': number
  'OS-EXT-SRV-ATTR:host'?: string | null
  'OS-EXT-SRV-ATTR:instance_name'?: string
  'OS-EXT-SRV-ATTR:hypervisor_hostname'?: string | null
  'os-extended-volumes:volumes_attached'?: { id: string }[]
  security_groups?: { name: string }[]
}

/** The body of POST /servers at 2.1. */
export interface CreateServerBody {
  server: {
    name: string
    imageRef: string
    flavorRef: string
    key_name?: string
    /** Base64 of the user data (cloud-init reads it from the config drive). */
    user_data?: string
    metadata?: Record<string, string>
    min_count?: number
    max_count?: number
    /** Neutron networks to attach (one port on each), or Nova's 'auto' / 'none'. */
    networks?: 'auto' | 'none' | { uuid: string }[] | { port: string }[]
    /** By name, applied to every port Nova creates (default: the project's `default`). */
    security_groups?: { name: string }[]
    /** Boot from volume: the boot disk only (boot_index 0), image → volume or volume → volume. */
    block_device_mapping_v2?: {
      boot_index: number
      uuid: string
      source_type: 'image' | 'volume'
      destination_type: 'volume' | 'local'
      volume_size?: number
      delete_on_termination?: boolean
    }[]
  }
}

export interface CreatedServer {
  id: string
  links: Link[]
  adminPass?: string
}

export type ServerActionBody =
  | { 'os-start': null }
  | { 'os-stop': null }
  | { reboot: { type: 'SOFT' | 'HARD' } }
  | { pause: null }
  | { unpause: null }
  | { suspend: null }
  | { resume: null }
  | { createImage: { name: string; metadata?: Record<string, string> } }
  | { rebuild: { imageRef: string; name?: string } }

export interface InstanceAction {
  action: string
  instance_uuid: string
  message: string | null
  project_id: string
  request_id: string
  start_time: string
  user_id: string
}

export interface InstanceActionEvent {
  event: string
  start_time: string | null
  finish_time: string | null
  result: string | null
  traceback?: string | null
}

export interface InstanceActionDetail extends InstanceAction {
  events: InstanceActionEvent[]
}

export interface Flavor {
  id: string
  name: string
  ram: number
  vcpus: number
  disk: number
  /** '' when there is none, as Nova spells it. */
  swap: number | ''
  'OS-FLV-EXT-DATA:ephemeral': number
  'OS-FLV-DISABLED:disabled'?: boolean
  'os-flavor-access:is_public': boolean
  rxtx_factor?: number
  links?: Link[]
}

export interface CreateFlavorBody {
  flavor: {
    name: string
    id?: string | null
    ram: number
    vcpus: number
    disk: number
    'OS-FLV-EXT-DATA:ephemeral'?: number
    swap?: number
    'os-flavor-access:is_public'?: boolean
  }
}

export type KeyType = 'rsa' | 'ed25519'

export interface Keypair {
  name: string
  public_key: string
  fingerprint: string
  user_id?: string
  created_at?: string
  /** Only in the answer that generated the key pair: never shown again. */
  private_key?: string
}

export interface CreateKeypairBody {
  keypair: {
    name: string
    public_key?: string
    /** Stackling extension at 2.1: which key to generate when no public key is given. */
    key_type?: KeyType
  }
}

/** GET /limits' absolute limits; -1 means unlimited. */
export interface AbsoluteLimits {
  maxTotalInstances: number
  totalInstancesUsed: number
  maxTotalCores: number
  totalCoresUsed: number
  maxTotalRAMSize: number
  totalRAMUsed: number
  maxTotalKeypairs?: number
  maxServerMeta?: number
  [key: string]: number | undefined
}

export interface Hypervisor {
  id: number | string
  hypervisor_hostname: string
  state: 'up' | 'down' | (string & {})
  status: 'enabled' | 'disabled' | (string & {})
  hypervisor_type?: string
  hypervisor_version?: number
  host_ip?: string
  vcpus: number
  vcpus_used: number
  memory_mb: number
  memory_mb_used: number
  free_ram_mb?: number
  local_gb: number
  local_gb_used: number
  free_disk_gb: number
  disk_available_least?: number
  running_vms: number
  cpu_info?: string
  'stackling:accelerator'?: string
  'stackling:accelerator_note'?: string | null
  'stackling:allocation_ratios'?: { cpu: number; ram: number; disk: number }
  'stackling:available_memory_mb'?: number
}

export interface SerialConsole {
  type: string
  url: string
}

const enc = encodeURIComponent
/** Stops a broken `next` link from looping for ever. */
const MAX_PAGES = 50

function nova<T>(c: OpenStackClient, method: string, path: string, opts: RequestOptions = {}) {
  return c.request<T>('compute', method, path, { ...opts, headers: { ...MICROVERSION_HEADERS, ...opts.headers } })
}

/** GET /servers/detail, following servers_links (marker pagination) to the last page. */
export async function listServers(c: OpenStackClient, signal?: AbortSignal): Promise<Server[]> {
  const out: Server[] = []
  let marker: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await nova<{ servers: Server[]; servers_links?: Link[] }>(c, 'GET', '/servers/detail', { query: marker ? { marker } : undefined, signal })
    const servers = res.body.servers ?? []
    out.push(...servers)
    const next = res.body.servers_links?.find((l) => l.rel === 'next')
    const last = servers[servers.length - 1]
    if (!next || !last || last.id === marker) break
    marker = last.id
  }
  return out
}

export const getServer = (c: OpenStackClient, id: string, signal?: AbortSignal) =>
  nova<{ server: Server }>(c, 'GET', `/servers/${enc(id)}`, { signal }).then((r) => r.body.server)

/**
 * POST /servers → 202 with the first server's id (the others of a multi-create share its reservation). `cli`
 * overrides the command the API drawer shows (the wizard's, with network names for IDs).
 */
export const createServer = (c: OpenStackClient, body: CreateServerBody, opts: { cli?: string | null } = {}) =>
  nova<{ server: CreatedServer }>(c, 'POST', '/servers', { body, cli: opts.cli }).then((r) => r.body.server)

/** DELETE /servers/{id} → 204; the server goes on with task_state deleting, then disappears. */
export const deleteServer = (c: OpenStackClient, id: string) => nova<void>(c, 'DELETE', `/servers/${enc(id)}`).then(() => undefined)

/** POST /servers/{id}/action → 202 (409 when the state forbids it). The response keeps its headers (createImage's Location). */
export const serverAction = (c: OpenStackClient, id: string, body: ServerActionBody) => nova<unknown>(c, 'POST', `/servers/${enc(id)}/action`, { body })

/** os-getConsoleOutput: the last `length` lines of the serial log (all of it without a length). */
export const getConsoleOutput = (c: OpenStackClient, id: string, length?: number, signal?: AbortSignal) =>
  nova<{ output: string }>(c, 'POST', `/servers/${enc(id)}/action`, { body: { 'os-getConsoleOutput': { length: length ?? null } }, signal }).then((r) => r.body.output ?? '')

/** os-getSerialConsole: a websocket URL with a single-use token (valid 10 minutes). */
export const getSerialConsole = (c: OpenStackClient, id: string) =>
  nova<{ console: SerialConsole }>(c, 'POST', `/servers/${enc(id)}/action`, { body: { 'os-getSerialConsole': { type: 'serial' } } }).then((r) => r.body.console)

export const listInstanceActions = (c: OpenStackClient, id: string, signal?: AbortSignal) =>
  nova<{ instanceActions: InstanceAction[] }>(c, 'GET', `/servers/${enc(id)}/os-instance-actions`, { signal }).then((r) => r.body.instanceActions ?? [])

export const getInstanceAction = (c: OpenStackClient, id: string, requestId: string, signal?: AbortSignal) =>
  nova<{ instanceAction: InstanceActionDetail }>(c, 'GET', `/servers/${enc(id)}/os-instance-actions/${enc(requestId)}`, { signal }).then((r) => r.body.instanceAction)

/** GET /flavors/detail; `all` (admins) adds is_public=None: private flavors too. */
export const listFlavors = (c: OpenStackClient, opts: { all?: boolean; signal?: AbortSignal } = {}) =>
  nova<{ flavors: Flavor[] }>(c, 'GET', '/flavors/detail', { query: opts.all ? { is_public: 'None' } : undefined, signal: opts.signal }).then((r) => r.body.flavors ?? [])

export const getFlavor = (c: OpenStackClient, id: string, signal?: AbortSignal) =>
  nova<{ flavor: Flavor }>(c, 'GET', `/flavors/${enc(id)}`, { signal }).then((r) => r.body.flavor)

/** POST /flavors (admin) → 200 with the flavor. */
export const createFlavor = (c: OpenStackClient, body: CreateFlavorBody) => nova<{ flavor: Flavor }>(c, 'POST', '/flavors', { body }).then((r) => r.body.flavor)

/** DELETE /flavors/{id} (admin) → 202. Instances keep their copy of the flavor. */
export const deleteFlavor = (c: OpenStackClient, id: string) => nova<void>(c, 'DELETE', `/flavors/${enc(id)}`).then(() => undefined)

/** GET /os-keypairs: the user's key pairs (they belong to the user, not the project). */
export const listKeypairs = (c: OpenStackClient, signal?: AbortSignal) =>
  nova<{ keypairs: { keypair: Keypair }[] }>(c, 'GET', '/os-keypairs', { signal }).then((r) => (r.body.keypairs ?? []).map((k) => k.keypair))

/** POST /os-keypairs: imports `public_key`, or generates a pair and returns its private_key this once. */
export const createKeypair = (c: OpenStackClient, body: CreateKeypairBody) => nova<{ keypair: Keypair }>(c, 'POST', '/os-keypairs', { body }).then((r) => r.body.keypair)

export const deleteKeypair = (c: OpenStackClient, name: string) => nova<void>(c, 'DELETE', `/os-keypairs/${enc(name)}`).then(() => undefined)

/** GET /limits: the project's quota and what it uses. */
export const getLimits = (c: OpenStackClient, signal?: AbortSignal) =>
  nova<{ limits: { absolute: AbsoluteLimits } }>(c, 'GET', '/limits', { signal }).then((r) => r.body.limits.absolute)

/** GET /os-hypervisors/detail (admin): this machine as Nova's one hypervisor. */
export const listHypervisors = (c: OpenStackClient, signal?: AbortSignal) =>
  nova<{ hypervisors: Hypervisor[] }>(c, 'GET', '/os-hypervisors/detail', { signal }).then((r) => r.body.hypervisors ?? [])

/** The image id in the Location header of createImage (…/image/v2/images/{id}). */
export function imageIdFromLocation(location: string | null | undefined): string | undefined {
  if (!location) return undefined
  const m = /\/images\/([^/?#]+)\/?(?:[?#].*)?$/.exec(location)
  return m ? decodeURIComponent(m[1]!) : undefined
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * The console URL names the cloud as ws://127.0.0.1:PORT; a page opened as http://localhost:PORT connects to its
 * own host instead (same port), as the client does for endpoints. Other URLs are left as they are.
 */
export function consoleSocketUrl(url: string, origin: string): string {
  try {
    const u = new URL(url)
    const o = new URL(origin)
    if (LOOPBACK.has(u.hostname) && LOOPBACK.has(o.hostname) && u.port === o.port && u.hostname !== o.hostname) {
      u.hostname = o.hostname
    }
    if (o.protocol === 'https:' && u.protocol === 'ws:' && u.host === o.host) u.protocol = 'wss:'
    return u.toString()
  } catch {
    return url
  }
}

/** Query keys shared by every panel that shows compute data, so one mutation refreshes them all. */
export const computeKeys = {
  all: ['compute'] as const,
  servers: ['compute', 'servers'] as const,
  serverList: ['compute', 'servers', 'list'] as const,
  server: (id: string) => ['compute', 'servers', 'detail', id] as const,
  consoleOutput: (id: string, length: number | undefined) => ['compute', 'servers', 'console', id, length ?? -1] as const,
  actions: (id: string) => ['compute', 'servers', 'actions', id] as const,
  action: (id: string, requestId: string) => ['compute', 'servers', 'actions', id, requestId] as const,
  flavors: ['compute', 'flavors'] as const,
  flavorList: (all: boolean) => ['compute', 'flavors', 'list', all] as const,
  flavor: (id: string) => ['compute', 'flavors', 'detail', id] as const,
  keypairs: ['compute', 'keypairs'] as const,
  limits: ['compute', 'limits'] as const,
  hypervisors: ['compute', 'hypervisors'] as const,
}

/** Nova's rules for key pair names (a-z, A-Z, 0-9, space, _ and -; 1 to 255 characters). */
export const KEYPAIR_NAME_PATTERN = /^[a-zA-Z0-9 _-]+$/
export const KEYPAIR_NAME_MAX = 255
export const SERVER_NAME_MAX = 255
/** Nova's limit on user_data (the base64 text). */
export const USER_DATA_MAX = 65535
