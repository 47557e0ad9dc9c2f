import { randomBytes, randomUUID } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { AuthContext } from '../../platform/auth-context'
import type { Logger } from '../../platform/log'
import { NOVA_POWER_STATE, type HostInfo, type HypervisorDriver, type PowerState } from '../../drivers/hypervisor/hypervisor-driver'
import type { ImageClient, ImageInfo } from '../clients'
import type { ComputeRepository } from './compute-repository'
import { HypervisorUnavailable, InstanceInvalidState, InvalidRequest, QuotaExceeded } from './errors'
import { readHostResources, type HostResources } from './host-capacity'
import { QUOTA_DEFAULTS, type Fault, type Flavor, type Instance, type TaskState, type VmState } from './models'
import { unfitReasons } from './scheduler'

export interface CreateServerRequest {
  name: string
  image: ImageInfo
  flavor: Flavor
  keyName: string | null
  keyData: string | null
  userData: string | null
  metadata: Record<string, string>
  configDrive: boolean
  networks: 'auto' | 'none'
  availabilityZone: string
  count: number
}

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
    private readonly dataDir: string,
    private readonly log: Logger,
    private readonly onQuit: 'stop' | 'keep' = 'stop',
  ) {}

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
    if (this.onQuit === 'stop' && !this.hostError) {
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
      disk: all.reduce((n, i) => n + i.flavor.disk + i.flavor.ephemeral, 0),
      count: all.length,
    }
  }

  async quotas(projectId: string): Promise<Record<string, number>> {
    return { ...QUOTA_DEFAULTS, ...(await this.repo.quotaOverrides(projectId)) }
  }

  /** Validates, checks quota and creates the records in one transaction, then builds each instance in the background. */
  async create(ctx: AuthContext, req: CreateServerRequest, requestId: string): Promise<Instance[]> {
    await this.whenReady()
    if (req.image.status !== 'active' || !req.image.file) throw new InvalidRequest(`Image ${req.image.id} is not active.`)
    if (req.flavor.ram < req.image.min_ram) throw new InvalidRequest("Flavor's memory is too small for requested image.")
    const imageGb = Math.ceil((req.image.virtual_size ?? 0) / 1024 ** 3)
    if (req.flavor.disk > 0 && (req.flavor.disk < req.image.min_disk || req.flavor.disk < imageGb)) {
      throw new InvalidRequest("Flavor's disk is too small for requested image.")
    }
    const projectId = ctx.projectId!
    const limits = await this.quotas(projectId)
    const reservation = `r-${randomBytes(4).toString('hex')}`
    const instances: Instance[] = Array.from({ length: req.count }, (_, i) => ({
      id: randomUUID(),
      name: req.count > 1 ? `${req.name}-${i + 1}` : req.name,
      project_id: projectId,
      user_id: ctx.userId,
      image_id: req.image.id,
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
      networks: req.networks,
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
    for (const inst of instances) this.track(inst.id, () => this.build(inst, req.image, requestId))
    return instances
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

  async consoleOutput(inst: Instance, lines?: number): Promise<string> {
    await this.whenReady()
    return this.driver.consoleLog(inst.id, lines).catch(() => '')
  }

  /** Waits for every background task (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()])
  }

  // --- work ---

  private async build(inst: Instance, image: ImageInfo, requestId: string): Promise<void> {
    await this.repo.startEvent(inst.id, requestId, 'compute__do_build_and_run_instance')
    try {
      // One placement at a time: each claims its host (host set) before the next looks at what is placed, so
      // instances built together (min_count > 1, parallel creates) cannot all fit in the same free memory.
      const reasons = await this.schedule(async () => {
        const host = await this.hostResources()
        const placed = await this.placed()
        const unfit = unfitReasons(host, placed, inst.flavor, { architecture: image.properties.hw_architecture ?? image.properties.architecture, minRamMb: image.min_ram, minDiskGb: image.min_disk })
        if (!unfit.length) await this.update(inst.id, { task_state: 'spawning', host: host.hostname })
        return unfit
      })
      if (reasons.length) {
        const fault: Fault = { code: 500, message: 'No valid host was found. ' + reasons.join('; '), details: reasons.join('\n'), created: now() }
        await this.update(inst.id, { vm_state: 'error', task_state: null, fault })
        await this.repo.finishEvent(inst.id, requestId, 'compute__do_build_and_run_instance', 'Error', fault.message)
        return
      }
      await this.spawnGuest(inst, image)
      const mac = macFor(inst.id, 0)
      await this.update(inst.id, {
        vm_state: 'active',
        task_state: null,
        power_state: NOVA_POWER_STATE.running,
        launched_at: now(),
        addresses: inst.networks === 'none' ? {} : { 'user-net': [{ version: 4, addr: '10.0.2.15', 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': mac }] },
      })
      await this.repo.finishEvent(inst.id, requestId, 'compute__do_build_and_run_instance', 'Success')
    } catch (err) {
      const message = (err as Error).message
      this.log.warn('instance build failed', { instance_id: inst.id, error: message })
      await this.driver.destroy(inst.id, { keepDisks: false }).catch(() => undefined)
      await this.images.release(image.id, `instance:${inst.id}`).catch(() => undefined)
      const current = await this.repo.instance(inst.id)
      if (current && current.task_state !== 'deleting') {
        // The failed instance no longer holds its claim on the host.
        await this.update(inst.id, { vm_state: 'error', task_state: null, power_state: 0, host: null, fault: { code: 500, message: `Build of instance ${inst.id} aborted: ${message}`, details: message, created: now() } })
      }
      await this.repo.finishEvent(inst.id, requestId, 'compute__do_build_and_run_instance', 'Error', message)
    }
  }

  async spawnGuest(inst: Instance, image: ImageInfo): Promise<void> {
    const dir = this.instanceDir(inst.id)
    await fs.mkdir(dir, { recursive: true })
    await this.images.hold(image.id, `instance:${inst.id}`)
    await this.driver.spawn(
      {
        id: inst.id,
        name: inst.name,
        vcpus: inst.flavor.vcpus,
        memoryMb: inst.flavor.ram,
        instanceDir: dir,
        rootDisk: { baseImage: image.file!, baseFormat: image.disk_format === 'raw' ? 'raw' : 'qcow2', sizeGb: inst.flavor.disk },
        ephemeralGb: inst.flavor.ephemeral || undefined,
        configDrive: inst.config_drive ? configDriveFiles(inst) : undefined,
        nics: inst.networks === 'none' ? [] : [{ mac: macFor(inst.id, 0), backend: { type: 'user' } }],
        imageProperties: image.properties,
      },
      { powerOn: true },
    )
  }

  private async teardown(inst: Instance): Promise<void> {
    await this.driver.destroy(inst.id, { keepDisks: false }).catch((err: Error) => this.log.warn('destroy failed', { instance_id: inst.id, error: err.message }))
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

/** OpenStack MACs start fa:16:3e; derived from the instance id so a rebuild keeps them. */
export function macFor(instanceId: string, index: number): string {
  const hex = instanceId.replace(/-/g, '')
  const b = [hex.slice(0, 2), hex.slice(2, 4), ((parseInt(hex.slice(4, 6), 16) + index) % 256).toString(16).padStart(2, '0')]
  return `fa:16:3e:${b.join(':')}`
}

/** The config drive's files, as cloud-init's OpenStack datasource and the guest image read them. */
export function configDriveFiles(inst: Instance): Record<string, string | Buffer> {
  const meta = {
    uuid: inst.id,
    name: inst.name,
    hostname: hostnameOf(inst.name),
    launch_index: inst.launch_index,
    availability_zone: inst.availability_zone,
    project_id: inst.project_id,
    meta: inst.metadata,
    public_keys: inst.key_name && inst.key_data ? { [inst.key_name]: inst.key_data } : {},
    keys: inst.key_name && inst.key_data ? [{ name: inst.key_name, type: 'ssh', data: inst.key_data }] : [],
    devices: [],
    random_seed: randomBytes(64).toString('base64'),
  }
  const network = {
    links: inst.networks === 'none' ? [] : [{ id: 'tap0', type: 'phy', ethernet_mac_address: macFor(inst.id, 0), mtu: 1500, vif_id: inst.id }],
    networks: inst.networks === 'none' ? [] : [{ id: 'network0', type: 'ipv4_dhcp', link: 'tap0', network_id: 'user-net' }],
    services: [],
  }
  const files: Record<string, string | Buffer> = {
    'openstack/latest/meta_data.json': JSON.stringify(meta),
    'openstack/latest/network_data.json': JSON.stringify(network),
    'openstack/latest/vendor_data.json': '{}',
    'openstack/latest/vendor_data2.json': '{}',
  }
  if (inst.user_data) files['openstack/latest/user_data'] = Buffer.from(inst.user_data, 'base64')
  return files
}

/** A hostname from a server name, as Nova sanitizes it. */
export function hostnameOf(name: string): string {
  const h = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63)
  return h || 'server'
}
