/**
 * The contract every hypervisor driver follows (QEMU, Hyper-V, and the fake one of the unit tests), like Nova's
 * virt driver. The compute manager is its only caller. Platform details — pids, QMP sockets, Hyper-V VM GUIDs,
 * command lines — never escape a driver: the manager sees instance ids, specs, states and files it asked for.
 *
 * Rules for every method:
 * - It is called with the instance's id (the Nova instance UUID) and, for spawn, everything the guest needs.
 * - It either completes or throws a DriverError whose message says what went wrong in words a user can act on.
 * - On failure it leaves nothing behind that a later `destroy` could not remove; `destroy` is idempotent.
 * - Programs are spawned with argument arrays, never a shell string.
 */

export type PowerState = 'running' | 'paused' | 'suspended' | 'shutdown' | 'crashed' | 'nostate'

/** Nova's numeric power_state for each driver state (OS-EXT-STS:power_state). */
export const NOVA_POWER_STATE: Record<PowerState, number> = {
  nostate: 0,
  running: 1,
  paused: 3,
  shutdown: 4,
  crashed: 6,
  suspended: 7,
}

export interface NicSpec {
  /** fa:16:3e:… */
  mac: string
  /**
   * `user`: QEMU's user-mode network (NAT, DHCP 10.0.2.15, no inbound): instances of a cloud without a network data
   * plane (the noop network driver) and instances made before the network service existed.
   * `stream`: an Ethernet frame stream on a unix socket (QEMU `-netdev stream`) to the userspace switch. With
   * `server: true` the guest's process listens at `socketPath` and the switch connects to it (and connects again
   * after the cloud restarts); the driver removes a stale socket file at that path before it starts the guest and
   * does not need the switch to be up. With `server: false` the guest connects to a socket the switch listens on,
   * which must exist when the guest starts. The path comes from the network driver and fits a socket address.
   */
  backend: { type: 'user' } | { type: 'stream'; socketPath: string; server: boolean }
}

export interface DiskAttachment {
  /** Stable id of the attachment (the volume id). */
  id: string
  file: string
  format: 'qcow2' | 'raw'
  readOnly?: boolean
}

/** The root disk made from an image: a qcow2 overlay over `baseImage` (never modified), grown to `sizeGb` if larger (0 = as is). */
export interface ImageRootDisk {
  baseImage: string
  baseFormat: 'qcow2' | 'raw'
  sizeGb: number
}

/**
 * Boot from volume: the volume's file is the root disk itself (no overlay, never copied). The driver neither
 * creates nor removes it (`destroy` leaves it where it is); a driver that cannot boot from a volume throws
 * DriverError from `spawn`.
 */
export interface VolumeRootDisk {
  volume: DiskAttachment
}

/** The image root disk of a spec, or a DriverError saying that `driver` cannot boot from a volume. */
export function imageRootDisk(spec: GuestSpec, driver: string): ImageRootDisk {
  if ('volume' in spec.rootDisk) throw new DriverError(`The ${driver} driver cannot boot a guest from a volume (volume ${spec.rootDisk.volume.id}): boot from an image instead.`)
  return spec.rootDisk
}

export interface GuestSpec {
  id: string
  name: string
  vcpus: number
  memoryMb: number
  /**
   * The folder that belongs to this instance (created by the manager, empty). The driver keeps everything of the
   * guest there: root disk overlay, console log, sockets, pidfile. `destroy` empties it.
   */
  instanceDir: string
  /** The root disk (bootindex 0): an overlay over an image, or a volume used directly (boot from volume). */
  rootDisk: ImageRootDisk | VolumeRootDisk
  /** Extra blank disk of this size, if any (flavor ephemeral). */
  ephemeralGb?: number
  /** Files of the config drive (label config-2), by path inside it, e.g. openstack/latest/meta_data.json. */
  configDrive?: Record<string, string | Buffer>
  nics: NicSpec[]
  /**
   * Volumes attached from the start, plugged after the root disk (and config drive, ephemeral disk) in this order.
   * A root volume is not listed here (it is `rootDisk.volume`).
   */
  volumes?: DiskAttachment[]
  /** Image properties that shape the virtual hardware (hw_disk_bus, hw_vif_model, hw_machine_type …). */
  imageProperties?: Record<string, string>
}

export interface GuestInfo {
  state: PowerState
  vcpus: number
  memoryMb: number
  /** Seconds since the guest was (re)started, when running. */
  uptimeSeconds?: number
}

export interface HostInfo {
  hypervisorType: string
  hypervisorVersion: string
  /** The accelerator in use: kvm, hvf, whpx, tcg (QEMU), hyperv, fake. */
  accelerator: string
  /** Why this one, in a sentence for the log and the host view, e.g. "tcg (kvm present but unusable: …)". */
  acceleratorNote?: string
  architecture: string
}

export interface DriverCapabilities {
  supportsPause: boolean
  supportsSuspend: boolean
  supportsSnapshot: boolean
  supportsLiveAttach: boolean
  supportsSerialConsole: boolean
}

export interface GuestStateEvent {
  id: string
  state: PowerState
}

export class DriverError extends Error {}
export class GuestNotFound extends DriverError {
  constructor(readonly id: string) {
    super(`The hypervisor has no guest ${id}.`)
  }
}

export interface HypervisorDriver {
  readonly name: string
  readonly capabilities: DriverCapabilities

  /**
   * Called first, once. Probes the host (accelerator, versions) and adopts guests that survived a restart of the
   * cloud (their processes still running): afterwards `listGuests` includes them and every method works on them.
   */
  initHost(): Promise<HostInfo>

  /** Ids of the guests the driver knows and whose instance folders exist (running or not). */
  listGuests(): Promise<string[]>

  /** Creates the guest's disks and files, then starts it if `powerOn`. On failure nothing is left behind. */
  spawn(spec: GuestSpec, opts: { powerOn: boolean }): Promise<void>

  /** Stops the guest (hard) and removes everything in its folder unless `keepDisks`. Idempotent. */
  destroy(id: string, opts: { keepDisks: boolean }): Promise<void>

  /**
   * ACPI power button, then a hard stop after `timeoutMs` (0 = hard at once; a paused guest is stopped hard).
   * Idempotent on a stopped guest. On a suspended guest it drops the saved memory: afterwards `shutdown`.
   */
  powerOff(id: string, opts: { timeoutMs: number }): Promise<void>

  /** Starts a stopped guest with the same disks and hardware; a suspended one is resumed. No-op if it runs. */
  powerOn(id: string): Promise<void>

  /**
   * SOFT: the guest shuts down cleanly (ACPI), then starts again (falls back to hard after a timeout); HARD: reset.
   * Either way the guest runs afterwards — also when it was stopped, paused (HARD) or suspended (memory dropped).
   */
  reboot(id: string, type: 'SOFT' | 'HARD'): Promise<void>

  /** Freezes the vCPUs; memory stays in the host process. @throws DriverError when the guest is not running. */
  pause(id: string): Promise<void>
  unpause(id: string): Promise<void>
  /**
   * Saves the guest's memory to its folder and stops the process (state `suspended`); resume restores it. Attach
   * and detach are refused while suspended (the saved device state must match the hardware it is loaded into).
   */
  suspend(id: string): Promise<void>
  /** No-op on a running guest; @throws DriverError when the guest is neither running nor suspended. */
  resume(id: string): Promise<void>

  /** Writes a standalone (no backing file) copy of the root disk to `targetFile` in `format`; the guest keeps running. */
  snapshot(id: string, targetFile: string, format: 'qcow2' | 'raw'): Promise<void>

  /**
   * Hot-plugs a disk into a running guest (or records it for the next start of a stopped one). Attaching the same
   * id and file again is a no-op; the same id with another file throws DriverError.
   */
  attachVolume(id: string, disk: DiskAttachment): Promise<void>
  /**
   * Unplugs a disk; on a running guest it waits for the guest to release it and throws DriverError if it does not
   * within a timeout (the disk stays attached). @throws DriverError when `diskId` is not attached.
   */
  detachVolume(id: string, diskId: string): Promise<void>

  /**
   * Ids of the volumes attached to the guest (not its root volume) as the guest's hardware has them now: what the
   * compute manager reconciles its records with after a crash during attach or detach. @throws GuestNotFound
   */
  attachedVolumes(id: string): Promise<string[]>

  /**
   * A volume attached to the guest (or its root volume) grew to `bytes`: afterwards the disk is `bytes` long and a
   * running guest sees the new size (QEMU: QMP block_resize, which grows the file through the process that holds
   * it). On a stopped guest the file is grown if it is smaller. Never shrinks. @throws DriverError when `diskId`
   * is not attached, or the guest is suspended.
   */
  resizeVolume(id: string, diskId: string, bytes: number): Promise<void>

  /** @throws GuestNotFound */
  getInfo(id: string): Promise<GuestInfo>

  /** The serial console output so far (at most the last `lines` lines). */
  consoleLog(id: string, lines?: number): Promise<string>

  /**
   * A live two-way stream to the guest's serial console (for the websocket console). A driver may serve only one
   * at a time (QEMU: a second waits until the first closes). @throws DriverError when the guest is not running.
   */
  openSerialConsole(id: string): Promise<NodeJS.ReadWriteStream & { close(): void }>

  /** Fired when a guest changes state on its own (shut down from inside, crashed, process gone). */
  onDidChangeState(listener: (e: GuestStateEvent) => void): { dispose(): void }

  /** Releases host resources (QMP connections, timers); guests keep running. */
  shutdownHost(): Promise<void>
}
