import { randomBytes, randomUUID } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { isAdmin, type AuthContext } from '../../platform/auth-context'
import { Forbidden } from '../../platform/errors'
import type { Logger } from '../../platform/log'
import { NOVA_POWER_STATE, type HostInfo, type HypervisorDriver, type NicSpec, type PowerState } from '../../drivers/hypervisor/hypervisor-driver'
import type { ImageClient, ImageInfo, NetworkClient, PortInfo, VolumeClient, VolumeInfo } from '../clients'
import type { ComputeRepository } from './compute-repository'
import {
  HypervisorUnavailable,
  InstanceInvalidState,
  InstanceNotFound,
  InvalidRequest,
  NetworkAmbiguous,
  NetworkRequiresSubnet,
  NoNetworkAvailable,
  PortInUse,
  QuotaExceeded,
  SecurityGroupNotOnInstance,
} from './errors'
import { readHostResources, type HostResources } from './host-capacity'
import { configDriveFiles, hostnameOf, macFor, type GuestNic, type MetadataInput } from './instance-metadata'
import { addressesOf, loadVifs, onPorts, securityGroupIdsOf, securityGroupsById, type SecurityGroupInfo, type SecurityGroupLookup, type Vif } from './instance-network'
import { diskOf, InstanceVolumes } from './instance-volumes'
import { QUOTA_DEFAULTS, type BootVolume, type Fault, type Flavor, type Instance, type NetworkRequest, type ServerAddress, type TaskState, type VmState, type VolumeAttachment } from './models'
import { unfitReasons, type VmCaps } from './scheduler'

/** One entry of a create request's `networks` list, as the API validated it. */
export interface RequestedNic {
  uuid?: string
  port?: string
  fixed_ip?: string
}

export interface CreateServerRequest {
  name: string
  /** The image to boot from, or (boot from volume) the image the root volume is made from; none for a volume source. */
  image?: ImageInfo
  /** Boot from volume (block_device_mapping_v2, boot_index 0, destination volume). */
  bootVolume?: BootVolume
  flavor: Flavor
  keyName: string | null
  keyData: string | null
  userData: string | null
  metadata: Record<string, string>
  configDrive: boolean
  networks: 'auto' | 'none' | RequestedNic[]
  /** Names or ids of security groups for the ports compute creates; undefined: the network's default group. */
  securityGroups?: string[]
  availabilityZone: string
  count: number
}

/** What the server view shows of an instance's network, live from the network service. */
export interface ServerNetworkView {
  addresses: Record<string, ServerAddress[]>
  /** undefined: the key is left out (an instance with no ports, as Nova). */
  securityGroups?: { name: string }[]
}

/** The network service as compute uses it (see instance-network.ts for the optional part). */
export type ComputeNetworkClient = NetworkClient & SecurityGroupLookup

/** A port id no port has: asking the network driver for its backend tells whether there is a data plane at all. */
const PROBE_PORT = '00000000-0000-0000-0000-000000000000'

const now = () => new Date().toISOString()
const POWER_SYNC_MS = 10_000
/** How long a guest gets to shut down cleanly when the cloud quits (the desktop shell allows the cloud 10 s). */
const QUIT_GRACE_MS = 7_000

/** Where an instance may be for each action, and the task it runs (Nova's @check_instance_state). */
const ACTIONS: Record<string, { from: VmState[]; task: TaskState }> = {
  'os-stop': { from: ['active', 'error'], task: 'powering-off' },
  'os-start': { from: ['stopped'], task: 'powering-on' },
  'reboot-SOFT': { from: ['active'], task: 'rebooting' },
  'reboot-HARD': { from: ['active', 'stopped', 'paused', 'suspended', 'error'], task: 'rebooting_hard' },
  pause: { from: ['active'], task: 'pausing' },
  unpause: { from: ['paused'], task: 'unpausing' },
  suspend: { from: ['active'], task: 'suspending' },
  resume: { from: ['suspended'], task: 'resuming' },
  createImage: { from: ['active', 'stopped', 'paused', 'suspended'], task: 'image_snapshot' },
  rebuild: { from: ['active', 'stopped', 'error'], task: 'rebuilding' },
}

/**
 * The compute service's logic: guards (state checks, quotas, scheduling) in transactions, then the work in a
 * tracked task that runs the hypervisor driver, sets vm_state on success, and on failure sets ERROR with a fault
 * (or reverts the task). Driver errors never reach HTTP.
 */
export class ComputeManager {
  host!: HostInfo
  private readonly running = new Map<string, Promise<unknown>>()
  private syncTimer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(
    private readonly repo: ComputeRepository,
    readonly driver: HypervisorDriver,
    private readonly images: ImageClient,
    /** The network client exists once every service is created: read through this. */
    private readonly networkClient: () => ComputeNetworkClient,
    private readonly dataDir: string,
    private readonly log: Logger,
    /** A value, or a getter read at quit time (the Settings page changes it while the cloud runs). */
    private readonly onQuit: 'stop' | 'keep' | (() => 'stop' | 'keep') = 'stop',
    /** The user's caps on all instances' RAM and disk, read at each placement (Settings; live). */
    private readonly vmCaps: () => VmCaps = () => ({}),
    /** The volume client (undefined in a cloud without block storage): read through this, like the network client. */
    volumeClient: () => VolumeClient | undefined = () => undefined,
  ) {
    this.volumes = new InstanceVolumes(repo, driver, volumeClient, log.child({ component: 'volumes' }))
  }

  /** Volume attachments and boot from volume (instance-volumes.ts). */
  readonly volumes: InstanceVolumes

  private get network(): ComputeNetworkClient {
    return this.networkClient()
  }

  instanceDir(id: string): string {
    return path.join(this.dataDir, 'instances', id)
  }

  /** Settles when the hypervisor is probed and reconciled; calls that need the driver wait for it. */
  ready: Promise<void> = Promise.resolve()
  hostError: string | undefined

  /**
   * Starts init in the background so the cloud answers at once (an accelerator probe can take seconds). A failed
   * init leaves the compute API up, answering 503 with the reason for work that needs the hypervisor.
   */
  start(): void {
    this.ready = this.init().catch((err: Error) => {
      this.hostError = err.message
      this.log.error('the hypervisor could not start', { error: err.message })
    })
  }

  /** @throws ServiceUnavailable when the hypervisor could not start. */
  async whenReady(): Promise<void> {
    await this.ready
    if (this.hostError) throw new HypervisorUnavailable(this.hostError)
  }

  async init(): Promise<void> {
    this.host = await this.driver.initHost()
    this.log.info('hypervisor ready', { ...this.host })
    await this.reconcile()
    this.driver.onDidChangeState((e) => void this.syncOne(e.id, e.state).catch(() => undefined))
    this.syncTimer = setInterval(() => void this.syncPowerStates().catch(() => undefined), POWER_SYNC_MS)
    this.syncTimer.unref()
  }

  /**
   * The cloud is stopping: finish running tasks, then (the default) shut every running guest down — ACPI first, hard
   * after QUIT_GRACE_MS — recording them SHUTOFF; with onQuit 'keep' the guests go on and the next start adopts them.
   */
  async stop(): Promise<void> {
    this.stopped = true
    await this.ready
    if (this.syncTimer) clearInterval(this.syncTimer)
    await Promise.allSettled(this.running.values())
    const onQuit = typeof this.onQuit === 'function' ? this.onQuit() : this.onQuit
    if (onQuit === 'stop' && !this.hostError) {
      const live = (await this.repo.instances()).filter((i) => ['active', 'paused'].includes(i.vm_state))
      await Promise.allSettled(
        live.map(async (i) => {
          await this.driver.powerOff(i.id, { timeoutMs: QUIT_GRACE_MS })
          await this.update(i.id, { vm_state: 'stopped', power_state: NOVA_POWER_STATE.shutdown, task_state: null })
          this.log.info('stopped a guest because the cloud is quitting', { instance_id: i.id })
        }),
      )
    }
    await this.driver.shutdownHost()
  }

  async hostResources(): Promise<HostResources> {
    return readHostResources(this.dataDir)
  }

  /** vCPUs, RAM and disk of every instance placed on this host. */
  async placed(): Promise<{ vcpus: number; ram: number; disk: number; count: number }> {
    const all = (await this.repo.instances()).filter((i) => i.host)
    return {
      vcpus: all.reduce((n, i) => n + i.flavor.vcpus, 0),
      ram: all.reduce((n, i) => n + i.flavor.ram, 0),
      // A volume-backed instance has no local root disk: the flavor's disk is not claimed on this host.
      disk: all.reduce((n, i) => n + (i.boot_volume ? 0 : i.flavor.disk) + i.flavor.ephemeral, 0),
      count: all.length,
    }
  }

  async quotas(projectId: string): Promise<Record<string, number>> {
    return { ...QUOTA_DEFAULTS, ...(await this.repo.quotaOverrides(projectId)) }
  }

  /** Validates, checks quota and creates the records in one transaction, then builds each instance in the background. */
  async create(ctx: AuthContext, req: CreateServerRequest, requestId: string): Promise<Instance[]> {
    await this.whenReady()
    const image = req.image
    if (image) {
      if (image.status !== 'active' || !image.file) throw new InvalidRequest(`Image ${image.id} is not active.`)
      if (req.flavor.ram < image.min_ram) throw new InvalidRequest("Flavor's memory is too small for requested image.")
      const imageGb = Math.ceil((image.virtual_size ?? 0) / 1024 ** 3)
      if (req.bootVolume) {
        // The root volume, not the flavor, holds the image (Nova checks volume_size against the image instead).
        const need = Math.max(image.min_disk, imageGb)
        if ((req.bootVolume.size ?? 0) < need) throw new InvalidRequest(`Volume size ${req.bootVolume.size} GiB is smaller than the image needs (${need} GiB).`)
      } else if (req.flavor.disk > 0 && (req.flavor.disk < image.min_disk || req.flavor.disk < imageGb)) {
        throw new InvalidRequest("Flavor's disk is too small for requested image.")
      }
    } else if (!req.bootVolume) {
      throw new InvalidRequest('An image or a volume to boot from is required.')
    }
    if (req.bootVolume) {
      if (!this.volumes.available) throw new InvalidRequest('Booting from a volume needs the block storage service, which this cloud does not have.')
      if (req.count > 1 && req.bootVolume.source === 'volume') throw new InvalidRequest('Unable to launch multiple instances from one volume.')
      if (req.bootVolume.source === 'volume') {
        const vol = await this.volumes.volumeFor(ctx, req.bootVolume.volume_id!)
        if (!vol) throw new InvalidRequest(`Can not find requested volume ${req.bootVolume.volume_id}.`)
        if (vol.status !== 'available') throw new InvalidRequest(`Invalid volume: volume ${vol.id} status must be 'available', it is '${vol.status}'.`)
      }
    }
    const projectId = ctx.projectId!
    const limits = await this.quotas(projectId)
    const { networks, securityGroupIds } = await this.planNetworks(ctx, req)
    const reservation = `r-${randomBytes(4).toString('hex')}`
    const instances: Instance[] = Array.from({ length: req.count }, (_, i) => ({
      id: randomUUID(),
      name: req.count > 1 ? `${req.name}-${i + 1}` : req.name,
      project_id: projectId,
      user_id: ctx.userId,
      image_id: req.bootVolume ? null : image!.id,
      flavor_id: req.flavor.id,
      flavor: req.flavor,
      vm_state: 'building',
      task_state: 'scheduling',
      power_state: 0,
      key_name: req.keyName,
      key_data: req.keyData,
      user_data: req.userData,
      config_drive: req.configDrive,
      availability_zone: req.availabilityZone,
      host: null,
      networks,
      security_group_ids: securityGroupIds,
      boot_volume: req.bootVolume ? { ...req.bootVolume } : null,
      addresses: {},
      metadata: req.metadata,
      fault: null,
      reservation_id: reservation,
      launch_index: i,
      access_ipv4: '',
      access_ipv6: '',
      launched_at: null,
      terminated_at: null,
      created_at: now(),
      updated_at: now(),
    }))
    await this.repo.db.transaction(async (tx) => {
      const used = await this.repo.usage(projectId, tx)
      const check = (resource: string, requested: number, inUse: number) => {
        const limit = limits[resource] ?? -1
        if (limit >= 0 && inUse + requested > limit) throw new QuotaExceeded(resource, requested, inUse, limit)
      }
      check('instances', req.count, used.instances)
      check('cores', req.flavor.vcpus * req.count, used.cores)
      check('ram', req.flavor.ram * req.count, used.ram)
      for (const inst of instances) {
        await this.repo.insertInstance(tx, inst)
        await this.repo.recordAction(tx, { instance_id: inst.id, request_id: requestId, action: 'create', project_id: projectId, user_id: ctx.userId })
      }
    })
    for (const inst of instances) this.track(inst.id, () => this.build(ctx, inst, image, requestId))
    return instances
  }

  /**
   * Nova's validate_networks, before anything is recorded: what each NIC will be on, checked against what ctx may
   * use. 'auto' is the project's one network (409 when several fit, 400 when none does) — or, on a cloud without a
   * network data plane, the user-mode NAT NIC of old.
   */
  private async planNetworks(ctx: AuthContext, req: CreateServerRequest): Promise<{ networks: Instance['networks']; securityGroupIds: string[] | null }> {
    const securityGroupIds = req.securityGroups?.length ? [...new Set(await this.network.securityGroupIds(ctx, req.securityGroups))] : null
    if (req.networks === 'none') return { networks: 'none', securityGroupIds }
    if (req.networks === 'auto') {
      if (!this.hasDataPlane()) return { networks: 'auto', securityGroupIds }
      const net = await this.network.autoNetwork(ctx)
      if (net === 'ambiguous') throw new NetworkAmbiguous()
      if (!net) throw new NoNetworkAvailable()
      if (!net.subnets.length) throw new NetworkRequiresSubnet(net.id)
      return { networks: [{ network_id: net.id }], securityGroupIds }
    }
    const planned: NetworkRequest[] = []
    const ports = new Set<string>()
    for (const nic of req.networks) {
      if (nic.port) {
        if (req.count > 1) throw new InvalidRequest('Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.')
        if (ports.has(nic.port)) throw new PortInUse(nic.port)
        ports.add(nic.port)
        const port = await this.network.getPort(ctx, nic.port)
        if (!port) throw new InvalidRequest(`Port id ${nic.port} could not be found.`)
        if (port.device_id) throw new PortInUse(port.id)
        if (nic.uuid && nic.uuid !== port.network_id) throw new InvalidRequest(`Port ${port.id} is on network ${port.network_id}, not on the requested network ${nic.uuid}.`)
        planned.push({ port_id: port.id, network_id: port.network_id })
        continue
      }
      const net = await this.network.getNetwork(ctx, nic.uuid!)
      if (!net) throw new InvalidRequest(`Network ${nic.uuid} could not be found.`)
      if (net['router:external'] && !net.shared && !isAdmin(ctx)) throw new Forbidden(`It is not allowed to create an interface on external network ${net.id}`)
      if (!net.subnets.length) throw new NetworkRequiresSubnet(net.id)
      if (nic.fixed_ip && req.count > 1) throw new InvalidRequest('max_count cannot be greater than 1 if an fixed_ip is specified.')
      planned.push({ network_id: net.id, ...(nic.fixed_ip ? { fixed_ip: nic.fixed_ip } : {}) })
    }
    return { networks: planned, securityGroupIds }
  }

  /** Whether the network driver connects guests; without (the noop driver) NICs fall back to user-mode NAT. */
  hasDataPlane(): boolean {
    try {
      return this.network.nicBackend(PROBE_PORT).type !== 'none'
    } catch {
      return true
    }
  }

  /** Runs an action: the state guard and task_state in one transaction, the driver work in the background. */
  async action(ctx: AuthContext, inst: Instance, name: string, requestId: string, work: (i: Instance) => Promise<Partial<Instance>>, label = name): Promise<void> {
    await this.whenReady()
    const spec = ACTIONS[name]!
    const ok = await this.repo.db.transaction(async (tx) => {
      const started = await this.repo.startTask(tx, inst.id, spec.from, spec.task)
      if (started) await this.repo.recordAction(tx, { instance_id: inst.id, request_id: requestId, action: label, project_id: inst.project_id, user_id: ctx.userId })
      return started
    })
    if (!ok) {
      const cur = (await this.repo.instance(inst.id)) ?? inst
      if (cur.task_state) throw new InstanceInvalidState(label, inst.id, 'task_state', cur.task_state)
      throw new InstanceInvalidState(label, inst.id, 'vm_state', cur.vm_state)
    }
    this.track(inst.id, async () => {
      const event = `compute_${label.replace(/^os-/, '').replace(/-/g, '_')}_instance`
      await this.repo.startEvent(inst.id, requestId, event)
      try {
        const fields = await work(inst)
        await this.update(inst.id, { task_state: null, ...fields })
        await this.repo.finishEvent(inst.id, requestId, event, 'Success')
      } catch (err) {
        const message = (err as Error).message
        this.log.warn('instance action failed', { instance_id: inst.id, action: label, error: message })
        await this.repo.finishEvent(inst.id, requestId, event, 'Error', message)
        // Like @reverts_task_state: the instance keeps its vm_state, the task is cleared, the power state re-read.
        const state = await this.driver.getInfo(inst.id).then((i) => i.state, () => 'shutdown' as PowerState)
        await this.update(inst.id, { task_state: null, power_state: NOVA_POWER_STATE[state], fault: { code: 500, message, created: now() } })
      }
    })
  }

  /** Deletes whatever the instance is doing: stop, remove files, release the image, remove the records. */
  async delete(ctx: AuthContext, inst: Instance, requestId: string): Promise<void> {
    await this.whenReady()
    if (inst.task_state === 'deleting') return
    await this.repo.db.transaction(async (tx) => {
      await this.repo.updateInstance(tx, inst.id, { task_state: 'deleting' })
      await this.repo.recordAction(tx, { instance_id: inst.id, request_id: requestId, action: 'delete', project_id: inst.project_id, user_id: ctx.userId })
    })
    const previous = this.running.get(inst.id)
    this.track(inst.id, async () => {
      await previous?.catch(() => undefined)
      await this.teardown(inst)
      await this.repo.db.transaction((tx) => this.repo.deleteInstance(tx, inst.id))
    }, true)
  }

  /** ComputeClient.volumeExtended / the volume-extended external event. @throws InstanceNotFound, VolumeNotAttached */
  async volumeExtended(serverId: string, volumeId: string, bytes: number): Promise<void> {
    await this.whenReady()
    const inst = await this.repo.instance(serverId)
    if (!inst) throw new InstanceNotFound(serverId)
    await this.volumes.extended(inst, volumeId, bytes)
  }

  /** A volume's size in bytes as the volume service has it (the volume-extended event names only the volume). */
  async volumeSize(ctx: AuthContext, volumeId: string): Promise<number> {
    const v = await this.volumes.volumeFor(ctx, volumeId)
    if (!v) throw new InvalidRequest(`Volume ${volumeId} could not be found.`)
    return v.size * 1024 ** 3
  }

  /** The ids of the volumes attached to each instance (os-extended-volumes:volumes_attached), root volume first. */
  async volumeIdsOf(instances: Instance[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(instances.map((i) => [i.id, []]))
    for (const a of await this.repo.volumeAttachments(instances.map((i) => i.id))) out.get(a.instance_id)?.push(a.volume_id)
    return out
  }

  async consoleOutput(inst: Instance, lines?: number): Promise<string> {
    await this.whenReady()
    return this.driver.consoleLog(inst.id, lines).catch(() => '')
  }

  /** Waits for every background task (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()])
  }

  // --- work ---

  private async build(ctx: AuthContext, inst: Instance, image: ImageInfo | undefined, requestId: string): Promise<void> {
    await this.repo.startEvent(inst.id, requestId, 'compute__do_build_and_run_instance')
    try {
      // One placement at a time: each claims its host (host set) before the next looks at what is placed, so
      // instances built together (min_count > 1, parallel creates) cannot all fit in the same free memory.
      let hostname = ''
      const reasons = await this.schedule(async () => {
        const host = await this.hostResources()
        const placed = await this.placed()
        const props = image?.properties ?? {}
        // Boot from volume: no local root disk to place (the flavor's disk is not claimed).
        const flavor = inst.boot_volume ? { ...inst.flavor, disk: 0 } : inst.flavor
        const needs = { architecture: props.hw_architecture ?? props.architecture, minRamMb: image?.min_ram ?? 0, minDiskGb: inst.boot_volume ? 0 : (image?.min_disk ?? 0) }
        const unfit = unfitReasons(host, placed, flavor, needs, 1, this.vmCaps())
        if (!unfit.length) await this.update(inst.id, { task_state: 'spawning', host: host.hostname })
        hostname = host.hostname
        return unfit
      })
      if (reasons.length) {
        const fault: Fault = { code: 500, message: 'No valid host was found. ' + reasons.join('; '), details: reasons.join('\n'), created: now() }
        await this.update(inst.id, { vm_state: 'error', task_state: null, fault })
        await this.repo.finishEvent(inst.id, requestId, 'compute__do_build_and_run_instance', 'Error', fault.message)
        return
      }
      await this.allocatePorts(ctx, inst, hostname)
      if (inst.boot_volume) {
        const root = await this.volumes.prepareRoot(ctx, inst)
        await this.spawnGuest(inst, undefined, root)
        await this.volumes.completeRoot(root.row)
      } else {
        await this.spawnGuest(inst, image!)
      }
      const mac = macFor(inst.id, 0)
      await this.update(inst.id, {
        vm_state: 'active',
        task_state: null,
        power_state: NOVA_POWER_STATE.running,
        launched_at: now(),
        addresses: inst.networks === 'auto' ? { 'user-net': [{ version: 4, addr: '10.0.2.15', 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': mac }] } : {},
      })
      await this.repo.finishEvent(inst.id, requestId, 'compute__do_build_and_run_instance', 'Success')
    } catch (err) {
      const message = (err as Error).message
      this.log.warn('instance build failed', { instance_id: inst.id, error: message })
      await this.driver.destroy(inst.id, { keepDisks: false }).catch(() => undefined)
      // Like Nova's _cleanup_allocated_networks: the ports made for it go, the user's are unbound.
      await this.deallocatePorts(inst).catch((e: Error) => this.log.warn('releasing the ports of a failed build failed', { instance_id: inst.id, error: e.message }))
      if (image && !inst.boot_volume) await this.images.release(image.id, `instance:${inst.id}`).catch(() => undefined)
      // Like Nova's _cleanup_volumes: the root volume is detached, and deleted when delete_on_termination.
      if (inst.boot_volume) await this.volumes.releaseAll(inst).catch((e: Error) => this.log.warn('releasing the volumes of a failed build failed', { instance_id: inst.id, error: e.message }))
      const current = await this.repo.instance(inst.id)
      if (current && current.task_state !== 'deleting') {
        // The failed instance no longer holds its claim on the host.
        await this.update(inst.id, { vm_state: 'error', task_state: null, power_state: 0, host: null, fault: { code: 500, message: `Build of instance ${inst.id} aborted: ${message}`, details: message, created: now() } })
      }
      await this.repo.finishEvent(inst.id, requestId, 'compute__do_build_and_run_instance', 'Error', message)
    }
  }

  /** Spawns the guest from its image (an overlay), or from its root volume; data volumes recorded for it are plugged. */
  async spawnGuest(inst: Instance, image: ImageInfo | undefined, root?: { row: VolumeAttachment; volume: VolumeInfo }): Promise<void> {
    const dir = this.instanceDir(inst.id)
    await fs.mkdir(dir, { recursive: true })
    if (image) await this.images.hold(image.id, `instance:${inst.id}`)
    const input = await this.metadataInput(inst, { subnets: inst.config_drive })
    await this.driver.spawn(
      {
        id: inst.id,
        name: inst.name,
        vcpus: inst.flavor.vcpus,
        memoryMb: inst.flavor.ram,
        instanceDir: dir,
        rootDisk: root ? { volume: diskOf(root.row) } : { baseImage: image!.file!, baseFormat: image!.disk_format === 'raw' ? 'raw' : 'qcow2', sizeGb: inst.flavor.disk },
        ephemeralGb: inst.flavor.ephemeral || undefined,
        configDrive: inst.config_drive ? configDriveFiles(input) : undefined,
        nics: input.nics.map((n) => this.nicSpec(n)),
        volumes: await this.volumes.spawnVolumes(inst.id),
        imageProperties: root ? root.volume.image_metadata : image!.properties,
      },
      { powerOn: true },
    )
  }

  /** What the hypervisor plugs a NIC into: the switch's socket (QEMU listens), or user-mode NAT without a data plane. */
  private nicSpec(nic: GuestNic): NicSpec {
    if (nic.kind === 'user') return { mac: nic.mac, backend: { type: 'user' } }
    if (nic.userMode) return { mac: nic.vif.port.mac_address, backend: { type: 'user' } }
    const backend = this.network.nicBackend(nic.vif.port.id)
    if (!backend.path) throw new Error(`The network driver gave port ${nic.vif.port.id} no socket to plug the NIC into.`)
    return { mac: nic.vif.port.mac_address, backend: { type: 'stream', socketPath: backend.path, server: true } }
  }

  /**
   * Build: the instance's ports, in NIC order — a new port on each requested network (device_owner compute:nova,
   * bound to this host, named after the instance's hostname for DNS, with the requested security groups), and each
   * port the user passed bound to it. Each is recorded as soon as it exists, so a failure or a restart half-way
   * leaves nothing deallocatePorts would not find.
   */
  private async allocatePorts(ctx: AuthContext, inst: Instance, host: string): Promise<void> {
    if (!Array.isArray(inst.networks)) return
    for (const [position, nic] of inst.networks.entries()) {
      let port: PortInfo
      if (nic.port_id) {
        // Checked at create; checked again now: another server may have taken it since.
        const current = await this.network.getPort(ctx, nic.port_id)
        if (!current) throw new InvalidRequest(`Port id ${nic.port_id} could not be found.`)
        if (current.device_id && current.device_id !== inst.id) throw new PortInUse(nic.port_id)
        port = await this.network.updatePort(nic.port_id, { device_id: inst.id, device_owner: 'compute:nova', 'binding:host_id': host })
      } else {
        port = await this.network.createPort(ctx, {
          network_id: nic.network_id!,
          ...(nic.fixed_ip ? { fixed_ips: [{ ip_address: nic.fixed_ip }] } : {}),
          device_id: inst.id,
          device_owner: 'compute:nova',
          ...(inst.security_group_ids ? { security_groups: inst.security_group_ids } : {}),
          name: '',
          dns_name: hostnameOf(inst.name),
          'binding:host_id': host,
        })
      }
      await this.repo.db.transaction((tx) =>
        this.repo.insertInstancePort(tx, { instance_id: inst.id, port_id: port.id, position, network_id: port.network_id, mac_address: port.mac_address, preserve_on_delete: !!nic.port_id }),
      )
    }
  }

  /**
   * Nova's deallocate_for_instance: every port bound to the instance is deleted, except the ones the user passed in
   * (preserve_on_delete), which are unbound (device_id, device_owner, binding:host_id cleared) and kept. A port
   * compute made is deleted even if its binding changed meanwhile; a missing port is no error. Idempotent.
   */
  private async deallocatePorts(inst: Instance): Promise<void> {
    const rows = await this.repo.instancePorts([inst.id])
    if (!onPorts(inst) && !rows.length) return
    const bound = new Set((await this.network.portsOfDevice(inst.id)).map((p) => p.id))
    const preserved = new Set(rows.filter((r) => r.preserve_on_delete).map((r) => r.port_id))
    for (const id of new Set([...rows.map((r) => r.port_id), ...bound])) {
      if (preserved.has(id)) {
        if (bound.has(id)) await this.network.updatePort(id, { device_id: '', device_owner: '', 'binding:host_id': '' })
      } else {
        await this.network.deletePort(id)
      }
      await this.repo.db.transaction((tx) => this.repo.deleteInstancePort(tx, id))
    }
  }

  /** Everything the instance's metadata is made of, live from the network service (config drive, metadata service). */
  async metadataInput(inst: Instance, opts: { subnets: boolean } = { subnets: true }): Promise<MetadataInput> {
    let nics: GuestNic[] = []
    let securityGroupNames: string[] = []
    if (inst.networks === 'auto') {
      nics = [{ kind: 'user', mac: macFor(inst.id, 0) }]
      securityGroupNames = ['default']
    } else if (onPorts(inst)) {
      const vifs = (await loadVifs(this.network, [inst], await this.repo.instancePorts([inst.id]), opts)).get(inst.id) ?? []
      nics = vifs.map((vif) => ({ kind: 'port', vif, userMode: this.network.nicBackend(vif.port.id).type === 'none' }))
      const groups = await securityGroupsById(this.network, securityGroupIdsOf(vifs))
      securityGroupNames = securityGroupIdsOf(vifs).map((id) => groups.get(id)?.name ?? id)
    }
    return { instance: inst, nics, securityGroupNames }
  }

  /**
   * For the metadata service: the instance whose NIC is on this port (the port's device_id, as Neutron has it now)
   * and that NIC's index. undefined when no instance has the port.
   */
  async metadataForPort(portId: string): Promise<{ input: MetadataInput; nicIndex: number } | undefined> {
    const row = await this.repo.portById(portId)
    const inst = row && (await this.repo.instance(row.instance_id))
    if (!inst || !onPorts(inst)) return undefined
    const input = await this.metadataInput(inst)
    const nicIndex = input.nics.findIndex((n) => n.kind === 'port' && n.vif.port.id === portId)
    // The port is no longer bound to the instance (its device_id changed in Neutron): it speaks for nobody.
    if (nicIndex < 0) return undefined
    return { input, nicIndex }
  }

  /**
   * `addresses` and `security_groups` of these instances for the server view: Neutron-port instances live from the
   * network service in one batch (so a floating IP associated later shows), the others from their record.
   */
  async networkViews(instances: Instance[]): Promise<Map<string, ServerNetworkView>> {
    const out = new Map<string, ServerNetworkView>()
    for (const i of instances) {
      if (i.networks === 'auto') out.set(i.id, { addresses: i.addresses, securityGroups: [{ name: 'default' }] })
      else out.set(i.id, { addresses: {} })
    }
    const ported = instances.filter(onPorts)
    if (!ported.length) return out
    try {
      const vifs = await loadVifs(this.network, ported, await this.repo.instancePorts(ported.map((i) => i.id)))
      const ids = [...new Set([...vifs.values()].flatMap(securityGroupIdsOf))]
      const groups = await securityGroupsById(this.network, ids)
      for (const [id, list] of vifs) {
        const sg = securityGroupIdsOf(list).map((g) => ({ name: groups.get(g)?.name ?? g }))
        out.set(id, { addresses: addressesOf(list), ...(sg.length ? { securityGroups: sg } : {}) })
      }
    } catch (err) {
      this.log.warn('the network service could not say what the servers are connected to', { error: (err as Error).message })
    }
    return out
  }

  /** The instance's NICs now (os-interface). */
  async interfaces(inst: Instance): Promise<Vif[]> {
    if (!onPorts(inst)) return []
    return (await loadVifs(this.network, [inst], await this.repo.instancePorts([inst.id]))).get(inst.id) ?? []
  }

  /** The security groups of the instance's ports (GET /servers/{id}/os-security-groups). */
  async securityGroups(inst: Instance): Promise<SecurityGroupInfo[]> {
    const ids = securityGroupIdsOf(await this.interfaces(inst))
    const groups = await securityGroupsById(this.network, ids)
    return ids.flatMap((id) => (groups.has(id) ? [groups.get(id)!] : []))
  }

  /** A security group ctx may use, by name or id (os-security-groups/{id}). @throws the network service's error. */
  async findSecurityGroup(ctx: AuthContext, nameOrId: string): Promise<SecurityGroupInfo | undefined> {
    const [id] = await this.network.securityGroupIds(ctx, [nameOrId])
    return id ? (await securityGroupsById(this.network, [id])).get(id) : undefined
  }

  /**
   * addSecurityGroup / removeSecurityGroup (Nova's security_group_api.add_to_instance / remove_from_instance): the
   * group (name or id) goes onto, or off, every port of the instance — ports the user passed in too, as Nova does.
   * @throws a 404 when the group does not exist, the instance has no ports, or (remove) the group is on none of them.
   */
  async changeSecurityGroup(ctx: AuthContext, inst: Instance, nameOrId: string, op: 'add' | 'remove'): Promise<void> {
    // The network service says 400 for a group it cannot find (right for a create); these actions say 404, as Nova.
    const [groupId] = await this.network.securityGroupIds(ctx, [nameOrId]).catch((err: Error & { status?: number }) => {
      throw err.status === 400 ? new SecurityGroupNotOnInstance(err.message) : err
    })
    const ports = onPorts(inst) ? await this.network.portsOfDevice(inst.id) : []
    if (!ports.length) throw new SecurityGroupNotOnInstance(`The instance ${inst.id} has no ports on the network service, so it has no security groups.`)
    let changed = false
    for (const port of ports) {
      const has = port.security_groups.includes(groupId!)
      if (op === 'add') {
        if (port.port_security_enabled === false) throw new InvalidRequest(`Cannot add security group ${nameOrId} to instance ${inst.id}: port ${port.id} has port security disabled.`)
        if (has) continue
        await this.network.updatePort(port.id, { security_groups: [...port.security_groups, groupId] })
      } else {
        if (!has) continue
        await this.network.updatePort(port.id, { security_groups: port.security_groups.filter((g) => g !== groupId) })
      }
      changed = true
    }
    if (op === 'remove' && !changed) throw new SecurityGroupNotOnInstance(`Security group ${nameOrId} not associated with the instance ${inst.id}`)
  }

  private async teardown(inst: Instance): Promise<void> {
    await this.driver.destroy(inst.id, { keepDisks: false }).catch((err: Error) => this.log.warn('destroy failed', { instance_id: inst.id, error: err.message }))
    await this.deallocatePorts(inst).catch((err: Error) => this.log.warn('releasing the ports failed', { instance_id: inst.id, error: err.message }))
    // Nova's _shutdown_instance: every volume is detached; delete_on_termination ones are deleted.
    await this.volumes.releaseAll(inst).catch((err: Error) => this.log.warn('releasing the volumes failed', { instance_id: inst.id, error: err.message }))
    await fs.rm(this.instanceDir(inst.id), { recursive: true, force: true })
    if (inst.image_id) await this.images.release(inst.image_id, `instance:${inst.id}`).catch(() => undefined)
  }

  async rebuildGuest(inst: Instance, image: ImageInfo, changes: Partial<Instance>): Promise<Partial<Instance>> {
    await this.driver.destroy(inst.id, { keepDisks: false })
    if (inst.image_id && inst.image_id !== image.id) await this.images.release(inst.image_id, `instance:${inst.id}`).catch(() => undefined)
    const next = { ...inst, ...changes, image_id: image.id }
    await this.spawnGuest(next, image)
    return { ...changes, image_id: image.id, vm_state: 'active', power_state: NOVA_POWER_STATE.running, fault: null }
  }

  /** At start: finish or undo interrupted work, match records with the guests that really exist. */
  private async reconcile(): Promise<void> {
    const guests = new Set(await this.driver.listGuests())
    const instances = await this.repo.instances()
    for (const inst of instances) {
      if (inst.task_state === 'deleting') {
        this.track(inst.id, async () => {
          await this.teardown(inst)
          await this.repo.db.transaction((tx) => this.repo.deleteInstance(tx, inst.id))
        }, true)
        continue
      }
      if (inst.vm_state === 'building') {
        await this.driver.destroy(inst.id, { keepDisks: false }).catch(() => undefined)
        await this.update(inst.id, { vm_state: 'error', task_state: null, fault: { code: 500, message: 'The build was interrupted by a restart of the cloud; delete the instance and create it again.', created: now() } })
        continue
      }
      if (inst.task_state) await this.update(inst.id, { task_state: null })
      if (onPorts(inst)) await this.checkPorts(inst)
      await this.volumes.reconcile(inst).catch((err: Error) => this.log.warn('could not reconcile the volumes of an instance', { instance_id: inst.id, error: err.message }))
      const state = guests.has(inst.id) ? await this.driver.getInfo(inst.id).then((i) => i.state, () => 'shutdown' as PowerState) : 'shutdown'
      await this.syncOne(inst.id, state)
      if (guests.has(inst.id)) this.log.info('re-adopted a guest', { instance_id: inst.id, state })
    }
    const known = new Set(instances.map((i) => i.id))
    for (const id of guests) {
      if (!known.has(id)) {
        this.log.warn('destroying a guest no instance record owns', { guest: id })
        await this.driver.destroy(id, { keepDisks: false }).catch(() => undefined)
      }
    }
  }

  /** At start: a port deleted in Neutron while the cloud was down leaves its NIC unplugged; the instance stays. */
  private async checkPorts(inst: Instance): Promise<void> {
    try {
      const bound = new Set((await this.network.portsOfDevice(inst.id)).map((p) => p.id))
      for (const row of await this.repo.instancePorts([inst.id])) {
        if (!bound.has(row.port_id)) this.log.warn('an instance lost a port: its NIC stays unplugged', { instance_id: inst.id, port_id: row.port_id })
      }
    } catch (err) {
      this.log.warn('could not check the ports of an instance', { instance_id: inst.id, error: (err as Error).message })
    }
  }

  /** Brings vm_state/power_state in line with what the hypervisor reports, for instances with no task running. */
  async syncOne(id: string, state: PowerState): Promise<void> {
    if (this.stopped) return
    const inst = await this.repo.instance(id)
    if (!inst || inst.task_state) return
    const power = NOVA_POWER_STATE[state]
    const fields: Partial<Instance> = {}
    if (inst.power_state !== power) fields.power_state = power
    if ((state === 'shutdown' || state === 'crashed') && ['active', 'paused'].includes(inst.vm_state)) fields.vm_state = 'stopped'
    if (state === 'running' && inst.vm_state === 'stopped') fields.vm_state = 'active'
    if (Object.keys(fields).length) {
      this.log.info('power state sync', { instance_id: id, ...fields })
      await this.update(id, fields)
    }
  }

  async syncPowerStates(): Promise<void> {
    for (const inst of await this.repo.instances()) {
      if (inst.task_state || !['active', 'paused', 'stopped', 'suspended'].includes(inst.vm_state)) continue
      const state = await this.driver.getInfo(inst.id).then((i) => i.state, () => 'shutdown' as PowerState)
      if (inst.vm_state === 'suspended' && state === 'shutdown') continue
      await this.syncOne(inst.id, state)
    }
  }

  async update(id: string, fields: Partial<Instance>): Promise<void> {
    await this.repo.db.transaction((tx) => this.repo.updateInstance(tx, id, fields))
  }

  private scheduling: Promise<unknown> = Promise.resolve()

  /** Runs placement decisions one after another. */
  private schedule<T>(decide: () => Promise<T>): Promise<T> {
    const next = this.scheduling.then(decide)
    this.scheduling = next.catch(() => undefined)
    return next
  }

  private track(id: string, work: () => Promise<unknown>, replace = false): void {
    const prev = replace ? undefined : this.running.get(id)
    const p = (async () => {
      await prev?.catch(() => undefined)
      await work()
    })()
      .catch((err: Error) => this.log.error('compute task crashed', { instance_id: id, error: err.stack }))
      .finally(() => {
        if (this.running.get(id) === p) this.running.delete(id)
      })
    this.running.set(id, p)
  }
}
