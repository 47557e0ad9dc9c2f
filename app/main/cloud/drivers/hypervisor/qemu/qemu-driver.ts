import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promises as fs, openSync, closeSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { atomicWriteFile } from '../../../platform/fs/atomic-write'
import type { Logger } from '../../../platform/log'
import { run } from '../../../platform/process/run'
import {
  DriverError,
  GuestNotFound,
  type DiskAttachment,
  type DriverCapabilities,
  type GuestInfo,
  type GuestSpec,
  type GuestStateEvent,
  type HostInfo,
  type HypervisorDriver,
  type PowerState,
} from '../hypervisor-driver'
import { chooseAccelerator, type Accelerator, type AcceleratorChoice } from './accelerator'
import { buildConfigDrive } from './config-drive'
import {
  buildGuestArgv,
  diskBusOf,
  guestFiles,
  machineTypeOf,
  nicModelOf,
  processNameOf,
  volumeBlockdev,
  volumeDevice,
  volumeNames,
  type AttachedVolume,
  type GuestFiles,
  type GuestHardware,
} from './guest-argv'
import { QmpClient, QmpError, type QmpEvent } from './qmp-client'

/**
 * The QEMU driver: one qemu-system-x86_64 process per running guest, controlled over QMP.
 *
 * Decisions (docs for the lead and for whoever debugs a guest):
 * - Processes: spawned with an argument array, `detached` (own session: a Ctrl-C or SIGKILL of the cloud does not
 *   reach them), stdio ignored except stderr → `qemu.log`, `unref()`ed. Not `-daemonize`: a daemonized QEMU is
 *   orphaned at once, and where PID 1 does not reap orphans (containers, some sandboxes) every exited guest would
 *   stay a zombie; as our child it is reaped by Node. Only guests that outlived a crashed cloud get orphaned.
 * - Power: no `-no-shutdown`: when the guest powers off, QEMU exits; "stopped" means "no process". powerOn starts
 *   a new process from the guest record (`guest.json`: hardware incl. attached volumes).
 * - Re-adoption: a driver that starts (after a restart or a SIGKILL of the cloud) reads its registry
 *   (`<dataDir>/hypervisor/qemu/guests/<id>.json` → instance folder), the guest record, and `qemu.pid`; a pid whose
 *   /proc/<pid>/cmdline names `stackling-<id>` (and is not a zombie) is the guest, and its QMP socket is reconnected.
 * - Suspend: QMP `snapshot-save` job writes RAM + device state as the internal snapshot `stackling-suspend` of the
 *   root overlay (devices and vmstate = the root disk only, so raw volumes do not block it), then QEMU quits.
 *   Resume starts QEMU paused (-S), runs `snapshot-load`, `snapshot-delete`, then `cont`. No migration stream, no
 *   exec: URIs (they need a shell). Attaching/detaching while suspended is refused: the saved device state must
 *   match the hardware it is loaded into.
 * - Snapshot: QMP `stop` (QEMU drains and flushes its block layer), `qemu-img convert -U -O <fmt>` of the overlay
 *   (which flattens the backing chain: the result is standalone) to `<target>.part`, `cont`, rename. The guest
 *   pauses for the copy (~0.2–0.5 s for the tiny image).
 * - Sockets: `qmp.sock` and `console.sock` in the instance folder, or in `<tmpdir>/stackling-<hash>` when that path
 *   would not fit in a unix socket address (~100 bytes); see guest-argv.ts socketDirFor.
 * - Soft reboot: ACPI power button, wait for the guest to power off (up to softRebootTimeoutMs, then hard), start
 *   again — what Nova's libvirt driver does. Hard reboot: QMP `system_reset` (and `cont` if paused) in the process.
 */

export interface QemuDriverOptions {
  /** The cloud's data folder; the driver's registry is `<dataDir>/hypervisor/qemu`. */
  dataDir: string
  log?: Logger
  /** `auto` (default): probe; or kvm | hvf | whpx | tcg (STACKLING_ACCEL overrides). */
  accelerator?: string
  /** Default: STACKLING_QEMU or qemu-system-x86_64 on PATH. */
  qemuBinary?: string
  /** Default: STACKLING_QEMU_IMG or qemu-img on PATH. */
  qemuImgBinary?: string
  /** Where sockets go when the instance folder's path is too long (default os.tmpdir()). */
  tmpDir?: string
  /** How long a SOFT reboot waits for the guest to power off before it resets it (default 60 s). */
  softRebootTimeoutMs?: number
  /** How long a detach waits for the guest to release the disk (default 30 s). */
  detachTimeoutMs?: number
}

interface GuestRecord {
  version: 1
  hardware: GuestHardware
  /** When the current QEMU process (or the last reset) started the guest, ms since the epoch. */
  startedAt?: number
  /** The guest's memory is saved in the root disk's internal snapshot SUSPEND_TAG. */
  suspended?: { accelerator: Accelerator; at: string }
}

interface Guest {
  id: string
  files: GuestFiles
  record: GuestRecord
  qmp?: QmpClient
  /** The QEMU process id while one runs (ours or adopted). */
  pid?: number
  lastState: PowerState
  /** Operations of this driver in progress: state changes then are not reported as spontaneous. */
  busy: number
  lock: Promise<void>
  /** destroy() has begun: nothing may start the guest again. */
  destroying?: boolean
  /** A QMP connection attempt in progress. */
  connecting?: Promise<QmpClient>
}

const SUSPEND_TAG = 'stackling-suspend'
const GiB = 1024 ** 3

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** The pid in a pidfile, if any. */
async function readPid(file: string): Promise<number | undefined> {
  const s = await fs.readFile(file, 'utf8').catch(() => '')
  const n = Number.parseInt(s.trim(), 10)
  return Number.isInteger(n) && n > 1 ? n : undefined
}

/**
 * Whether `pid` is a live QEMU of guest `id`. On Linux /proc proves it (cmdline names the guest, not a zombie) so a
 * recycled pid is never mistaken for the guest; elsewhere a signal-0 probe is all there is.
 */
export async function isGuestProcess(pid: number | undefined, id: string): Promise<boolean> {
  if (!pid) return false
  if (process.platform === 'linux') {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    if (!stat) return false
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    if (state === 'Z' || state === 'X') return false
    const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    return cmdline.split('\0').some((a) => a.includes(processNameOf(id)))
  }
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** QMP run states → driver power states. */
function powerStateOf(status: string): PowerState {
  switch (status) {
    case 'running':
      return 'running'
    case 'shutdown':
      return 'shutdown'
    case 'internal-error':
    case 'guest-panicked':
      return 'crashed'
    default:
      // paused, prelaunch, suspended (guest S3), debug, io-error, watchdog, save-vm, restore-vm, (in|post|finish-)migrate
      return 'paused'
  }
}

export class QemuDriver implements HypervisorDriver {
  readonly name = 'qemu'
  readonly capabilities: DriverCapabilities = {
    supportsPause: true,
    supportsSuspend: true,
    supportsSnapshot: true,
    supportsLiveAttach: true,
    supportsSerialConsole: true,
  }

  private readonly guests = new Map<string, Guest>()
  private readonly listeners = new Set<(e: GuestStateEvent) => void>()
  private readonly registryDir: string
  private readonly qemu: string
  private readonly qemuImg: string
  private readonly tmpDir: string
  private accel: AcceleratorChoice | undefined
  private hostInfo: HostInfo | undefined
  private closing = false

  constructor(private readonly opts: QemuDriverOptions) {
    this.registryDir = path.join(opts.dataDir, 'hypervisor', 'qemu', 'guests')
    this.qemu = opts.qemuBinary ?? process.env.STACKLING_QEMU ?? 'qemu-system-x86_64'
    this.qemuImg = opts.qemuImgBinary ?? process.env.STACKLING_QEMU_IMG ?? 'qemu-img'
    this.tmpDir = opts.tmpDir ?? os.tmpdir()
  }

  // ---------------------------------------------------------------------------------------------------- host

  async initHost(): Promise<HostInfo> {
    if (this.hostInfo) return this.hostInfo
    this.closing = false
    const version = await run(this.qemu, ['--version'], { timeoutMs: 10_000 }).catch((e: Error) => {
      throw new DriverError(`QEMU cannot be run: ${e.message} (install the qemu-system-x86 package).`)
    })
    const m = /version (\d+\.\d+(?:\.\d+)?)/.exec(version.stdout)
    this.accel = await chooseAccelerator({ qemuBinary: this.qemu, override: this.opts.accelerator })
    this.opts.log?.info('hypervisor accelerator', { accelerator: this.accel.accelerator, note: this.accel.note, probe_ms: this.accel.probeMs })

    await fs.mkdir(this.registryDir, { recursive: true })
    for (const name of await fs.readdir(this.registryDir)) {
      if (!name.endsWith('.json')) continue
      const id = name.slice(0, -5)
      try {
        await this.adopt(id)
      } catch (err) {
        this.opts.log?.warn('cannot adopt guest', { guest: id, error: (err as Error).message })
      }
    }
    this.hostInfo = {
      hypervisorType: 'QEMU',
      hypervisorVersion: m?.[1] ?? 'unknown',
      accelerator: this.accel.accelerator,
      acceleratorNote: this.accel.note,
      architecture: 'x86_64',
    }
    return this.hostInfo
  }

  /** Loads one registered guest; reconnects to its QEMU if that still runs. Drops registry entries whose folder is gone. */
  private async adopt(id: string): Promise<void> {
    const entry = JSON.parse(await fs.readFile(path.join(this.registryDir, `${id}.json`), 'utf8')) as { instanceDir: string }
    const files = guestFiles(entry.instanceDir, this.tmpDir)
    const raw = await fs.readFile(files.record, 'utf8').catch(() => undefined)
    if (raw === undefined) {
      await fs.rm(path.join(this.registryDir, `${id}.json`), { force: true })
      this.opts.log?.warn('forgot a guest whose folder is gone', { guest: id, dir: entry.instanceDir })
      return
    }
    const record = JSON.parse(raw) as GuestRecord
    const g: Guest = { id, files, record, lastState: 'shutdown', busy: 0, lock: Promise.resolve() }
    this.guests.set(id, g)
    const pid = await readPid(files.pidFile)
    if (await isGuestProcess(pid, id)) {
      g.pid = pid
      await this.connectQmp(g)
      g.lastState = await this.currentState(g)
      this.opts.log?.info('adopted a running guest', { guest: id, pid, state: g.lastState })
    } else {
      g.lastState = record.suspended ? 'suspended' : 'shutdown'
    }
  }

  async listGuests(): Promise<string[]> {
    const ids: string[] = []
    for (const [id, g] of this.guests) {
      if (await fs.stat(g.files.dir).then(() => true, () => false)) ids.push(id)
    }
    return ids
  }

  async shutdownHost(): Promise<void> {
    this.closing = true
    for (const g of this.guests.values()) {
      g.qmp?.close()
      g.qmp = undefined
    }
    this.guests.clear()
    this.hostInfo = undefined
  }

  onDidChangeState(listener: (e: GuestStateEvent) => void): { dispose(): void } {
    this.listeners.add(listener)
    return { dispose: () => void this.listeners.delete(listener) }
  }

  // ---------------------------------------------------------------------------------------------------- lifecycle

  async spawn(spec: GuestSpec, opts: { powerOn: boolean }): Promise<void> {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(spec.id)) throw new DriverError(`Invalid guest id '${spec.id}'.`)
    if (this.guests.has(spec.id)) throw new DriverError(`A guest ${spec.id} already exists on this host.`)
    if (!path.isAbsolute(spec.instanceDir)) throw new DriverError(`The instance folder must be an absolute path (got ${spec.instanceDir}).`)
    if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1) throw new DriverError(`A guest needs at least one vCPU (got ${spec.vcpus}).`)
    if (!Number.isInteger(spec.memoryMb) || spec.memoryMb < 16) throw new DriverError(`A guest needs at least 16 MB of memory (got ${spec.memoryMb}).`)
    await this.ensureAccelerator()
    const props = spec.imageProperties ?? {}
    // Refuse unsupported hardware before anything is written.
    machineTypeOf(props)
    diskBusOf(props)
    nicModelOf(props)

    const files = guestFiles(spec.instanceDir, this.tmpDir)
    const hardware: GuestHardware = {
      id: spec.id,
      name: spec.name,
      vcpus: spec.vcpus,
      memoryMb: spec.memoryMb,
      nics: spec.nics,
      hasConfigDrive: spec.configDrive !== undefined,
      hasEphemeral: (spec.ephemeralGb ?? 0) > 0,
      volumes: (spec.volumes ?? []).map((v) => ({ ...v, ...volumeNames(v.id) })),
      ...('volume' in spec.rootDisk ? { rootVolume: { ...spec.rootDisk.volume } } : {}),
      imageProperties: props,
    }
    const g: Guest = { id: spec.id, files, record: { version: 1, hardware }, lastState: 'shutdown', busy: 0, lock: Promise.resolve() }
    this.guests.set(spec.id, g)
    await this.withLock(g, async () => {
      const t0 = Date.now()
      try {
        await fs.mkdir(files.dir, { recursive: true })
        const root = spec.rootDisk
        if ('volume' in root) {
          // Boot from volume: the volume's file is the root disk; it is only checked, never written here.
          const vol = await this.imageInfo(root.volume.file)
          if (vol.format !== root.volume.format) throw new DriverError(`The root volume ${root.volume.id} is ${vol.format}, not ${root.volume.format} as its record says.`)
        } else {
          const base = await this.imageInfo(root.baseImage)
          if (base.format !== root.baseFormat) {
            throw new DriverError(`The image file is ${base.format}, not ${root.baseFormat} as its record says.`)
          }
          const want = root.sizeGb * GiB
          const createArgs = ['create', '-q', '-f', 'qcow2', '-b', path.resolve(root.baseImage), '-F', root.baseFormat, files.rootDisk]
          if (want > base.virtualSize) createArgs.push(String(want))
          await this.qemuImgRun(createArgs, 'create the root disk')
        }
        if (hardware.hasEphemeral) await this.qemuImgRun(['create', '-q', '-f', 'qcow2', files.ephemeralDisk, `${spec.ephemeralGb}G`], 'create the ephemeral disk')
        if (spec.configDrive) await buildConfigDrive(files.configDrive, spec.configDrive)
        await this.writeRecord(g)
        await fs.mkdir(this.registryDir, { recursive: true })
        await atomicWriteFile(path.join(this.registryDir, `${spec.id}.json`), JSON.stringify({ instanceDir: files.dir }) + '\n')
        if (opts.powerOn) await this.startProcess(g, { paused: false })
        g.lastState = opts.powerOn ? 'running' : 'shutdown'
        this.opts.log?.info('spawned guest', { guest: spec.id, ms: Date.now() - t0, power_on: opts.powerOn, accelerator: this.accel?.accelerator })
      } catch (err) {
        this.opts.log?.warn('spawn failed, cleaning up', { guest: spec.id, error: (err as Error).message })
        await this.stopHard(g).catch(() => undefined)
        await this.removeGuestFiles(g, false).catch(() => undefined)
        this.guests.delete(spec.id)
        throw err instanceof DriverError ? err : new DriverError(`Cannot create guest ${spec.id}: ${(err as Error).message}`)
      }
    })
  }

  async destroy(id: string, opts: { keepDisks: boolean }): Promise<void> {
    let g = this.guests.get(id)
    if (!g) {
      // Not loaded (initHost not called, or already destroyed): a registry entry may still exist.
      await this.adopt(id).catch(() => undefined)
      g = this.guests.get(id)
      if (!g) return
    }
    const guest = g
    // Delete wins over whatever runs (e.g. a soft reboot waiting for the guest): stop the process now; the
    // operation holding the lock then fails instead of starting the guest again.
    guest.destroying = true
    await this.stopHard(guest).catch(() => undefined)
    await this.withLock(guest, async () => {
      await this.stopHard(guest)
      await this.removeGuestFiles(guest, opts.keepDisks)
      this.guests.delete(id)
      this.opts.log?.info('destroyed guest', { guest: id, keep_disks: opts.keepDisks })
    })
  }

  async powerOff(id: string, opts: { timeoutMs: number }): Promise<void> {
    const g = this.get(id)
    await this.withLock(g, async () => {
      if (!(await this.alive(g))) {
        if (g.record.suspended) await this.discardSuspendState(g)
        g.lastState = 'shutdown'
        return
      }
      if (opts.timeoutMs > 0) {
        // A monitor that does not answer only means the stop has to be hard.
        const qmp = await this.connectQmp(g).catch(() => undefined)
        const status = await qmp?.execute<{ status: string }>('query-status').catch(() => undefined)
        if (qmp && status?.status === 'running') {
          await qmp.execute('system_powerdown').catch(() => undefined)
          if (await this.waitForExit(g, opts.timeoutMs)) {
            g.lastState = 'shutdown'
            return
          }
          this.opts.log?.info('guest ignored the power button, stopping it', { guest: id, timeout_ms: opts.timeoutMs })
        }
      }
      await this.stopHard(g)
      g.lastState = 'shutdown'
    })
  }

  async powerOn(id: string): Promise<void> {
    const g = this.get(id)
    await this.withLock(g, async () => {
      if (await this.alive(g)) return
      if (g.record.suspended) await this.resumeFromDisk(g)
      else await this.startProcess(g, { paused: false })
      g.lastState = 'running'
    })
  }

  async reboot(id: string, type: 'SOFT' | 'HARD'): Promise<void> {
    const g = this.get(id)
    await this.withLock(g, async () => {
      if (!(await this.alive(g))) {
        if (g.record.suspended) await this.discardSuspendState(g)
        await this.startProcess(g, { paused: false })
        g.lastState = 'running'
        return
      }
      const qmp = await this.connectQmp(g)
      const { status } = await qmp.execute<{ status: string }>('query-status')
      if (type === 'SOFT' && status === 'running') {
        await qmp.execute('system_powerdown').catch(() => undefined)
        if (!(await this.waitForExit(g, this.opts.softRebootTimeoutMs ?? 60_000))) {
          this.opts.log?.info('guest ignored the power button during a soft reboot, resetting it', { guest: id })
          await this.stopHard(g)
        }
        await this.startProcess(g, { paused: false })
      } else {
        await qmp.execute('system_reset')
        if (status !== 'running') await qmp.execute('cont')
        g.record.startedAt = Date.now()
        await this.writeRecord(g)
      }
      g.lastState = 'running'
    })
  }

  async pause(id: string): Promise<void> {
    const g = this.get(id)
    await this.withLock(g, async () => {
      const qmp = await this.runningQmp(g, 'pause')
      await qmp.execute('stop')
      g.lastState = 'paused'
    })
  }

  async unpause(id: string): Promise<void> {
    const g = this.get(id)
    await this.withLock(g, async () => {
      const qmp = await this.runningQmp(g, 'unpause')
      await qmp.execute('cont')
      g.lastState = 'running'
    })
  }

  async suspend(id: string): Promise<void> {
    const g = this.get(id)
    await this.withLock(g, async () => {
      if (g.record.hardware.rootVolume) {
        // The saved memory would go into the volume's file as an internal snapshot (impossible for raw, and a qcow2
        // volume with snapshots can no longer be extended): refused, like a guest with no disk of its own.
        throw new DriverError(`Guest ${id} boots from volume ${g.record.hardware.rootVolume.id}: suspending it is not supported (stop it instead).`)
      }
      const qmp = await this.runningQmp(g, 'suspend')
      const t0 = Date.now()
      // A snapshot left by an interrupted resume would make snapshot-save fail.
      await this.runJob(qmp, 'snapshot-delete', { tag: SUSPEND_TAG, devices: ['root'] }, 60_000).catch(() => undefined)
      await this.runJob(qmp, 'snapshot-save', { tag: SUSPEND_TAG, vmstate: 'root', devices: ['root'] }, 300_000)
      g.record.suspended = { accelerator: this.accel!.accelerator, at: new Date().toISOString() }
      await this.writeRecord(g)
      await this.stopHard(g)
      g.lastState = 'suspended'
      this.opts.log?.info('suspended guest', { guest: id, ms: Date.now() - t0 })
    })
  }

  async resume(id: string): Promise<void> {
    const g = this.get(id)
    await this.withLock(g, async () => {
      if (await this.alive(g)) {
        if (g.record.suspended) throw new DriverError(`Guest ${id} is running, not suspended.`)
        return
      }
      if (!g.record.suspended) throw new DriverError(`Guest ${id} is not suspended.`)
      await this.resumeFromDisk(g)
      g.lastState = 'running'
    })
  }

  async snapshot(id: string, targetFile: string, format: 'qcow2' | 'raw'): Promise<void> {
    const g = this.get(id)
    await this.withLock(g, async () => {
      const part = `${targetFile}.part`
      let resume: QmpClient | undefined
      const t0 = Date.now()
      if (await this.alive(g)) {
        const qmp = await this.connectQmp(g)
        const { status } = await qmp.execute<{ status: string }>('query-status')
        if (status === 'running') {
          // `stop` drains and flushes QEMU's block layer: the overlay file is consistent while we copy it.
          await qmp.execute('stop')
          resume = qmp
        }
      }
      let pausedMs = 0
      try {
        const root = g.record.hardware.rootVolume
        await this.qemuImgRun(['convert', '-U', '-f', root?.format ?? 'qcow2', '-O', format, root?.file ?? g.files.rootDisk, part], 'copy the root disk', 30 * 60_000)
      } catch (err) {
        await fs.rm(part, { force: true })
        throw err
      } finally {
        if (resume) {
          pausedMs = Date.now() - t0
          await resume.execute('cont').catch((e: Error) => this.opts.log?.error('cannot resume guest after snapshot', { guest: id, error: e.message }))
        }
      }
      await fs.rename(part, targetFile)
      this.opts.log?.info('snapshot of guest', { guest: id, ms: Date.now() - t0, paused_ms: pausedMs, format })
    })
  }

  // ---------------------------------------------------------------------------------------------------- volumes

  async attachVolume(id: string, disk: DiskAttachment): Promise<void> {
    const g = this.get(id)
    await this.withLock(g, async () => {
      if (g.record.suspended) throw new DriverError(`Guest ${id} is suspended: resume it before attaching a volume.`)
      if (g.record.hardware.rootVolume?.id === disk.id) throw new DriverError(`Volume ${disk.id} is the root disk of guest ${id}.`)
      const existing = g.record.hardware.volumes.find((v) => v.id === disk.id)
      if (existing) {
        if (existing.file === disk.file) return
        throw new DriverError(`Volume ${disk.id} is already attached to guest ${id}.`)
      }
      const vol: AttachedVolume = { ...disk, ...volumeNames(disk.id) }
      // Recorded before QEMU is touched: a crash between the plug and the record must not leave a disk in the
      // guest that no record names. attachedVolumes() checks the record against QEMU's real devices.
      g.record.hardware.volumes.push(vol)
      await this.writeRecord(g)
      const forget = async () => {
        g.record.hardware.volumes = g.record.hardware.volumes.filter((v) => v.id !== disk.id)
        await this.writeRecord(g)
      }
      if (await this.alive(g)) {
        const qmp = await this.connectQmp(g)
        try {
          await qmp.execute('blockdev-add', volumeBlockdev(vol))
        } catch (e) {
          await forget()
          throw new DriverError(`Cannot open volume ${disk.id} (${disk.file}): ${(e as Error).message}`)
        }
        try {
          await qmp.execute('device_add', volumeDevice(vol))
        } catch (e) {
          await qmp.execute('blockdev-del', { 'node-name': vol.nodeName }).catch(() => undefined)
          await forget()
          throw new DriverError(`Cannot plug volume ${disk.id} into guest ${id}: ${(e as Error).message}`)
        }
      }
    })
  }

  async detachVolume(id: string, diskId: string): Promise<void> {
    const g = this.get(id)
    await this.withLock(g, async () => {
      if (g.record.suspended) throw new DriverError(`Guest ${id} is suspended: resume it before detaching a volume.`)
      const vol = g.record.hardware.volumes.find((v) => v.id === diskId)
      if (!vol) throw new DriverError(`Volume ${diskId} is not attached to guest ${id}.`)
      if (await this.alive(g)) {
        const qmp = await this.connectQmp(g)
        const timeoutMs = this.opts.detachTimeoutMs ?? 30_000
        // The guest must acknowledge the ACPI eject; DEVICE_DELETED says it did and QEMU removed the device.
        const deleted = qmp.waitForEvent('DEVICE_DELETED', timeoutMs, (e) => e.data?.device === vol.deviceId)
        deleted.catch(() => undefined)
        try {
          await qmp.execute('device_del', { id: vol.deviceId })
        } catch (e) {
          if (!(e instanceof QmpError && e.errorClass === 'DeviceNotFound')) throw e
        }
        const gone = await deleted.then(() => true, () => false)
        if (!gone) {
          const still = await qmp.execute<Array<{ name: string }>>('qom-list', { path: '/machine/peripheral' }).catch(() => [])
          if (still.some((p) => p.name === vol.deviceId)) {
            throw new DriverError(`Guest ${id} did not release volume ${diskId} within ${Math.round(timeoutMs / 1000)} s (is the disk in use?).`)
          }
        }
        await qmp.execute('blockdev-del', { 'node-name': vol.nodeName }).catch((e: Error) => {
          if (!(e instanceof QmpError)) throw e
        })
      }
      g.record.hardware.volumes = g.record.hardware.volumes.filter((v) => v.id !== diskId)
      await this.writeRecord(g)
    })
  }

  /**
   * The volumes the guest has now. For a running guest QEMU is asked (its devices and block nodes), because a crash
   * can fall between a plug or unplug and the record: a recorded volume whose device is gone is dropped (and its
   * block node released), so the record again says what the guest has. A stopped guest's record is the truth.
   */
  async attachedVolumes(id: string): Promise<string[]> {
    const g = this.get(id)
    return this.withLock(g, async () => {
      if (g.record.hardware.volumes.length && (await this.alive(g))) {
        const qmp = await this.connectQmp(g)
        const devices = new Set((await qmp.execute<Array<{ name: string }>>('qom-list', { path: '/machine/peripheral' })).map((d) => d.name))
        const gone = g.record.hardware.volumes.filter((v) => !devices.has(v.deviceId))
        if (gone.length) {
          const nodes = new Set((await qmp.execute<Array<{ 'node-name': string }>>('query-named-block-nodes', { flat: true })).map((n) => n['node-name']))
          for (const v of gone) {
            if (nodes.has(v.nodeName)) await qmp.execute('blockdev-del', { 'node-name': v.nodeName }).catch(() => undefined)
          }
          g.record.hardware.volumes = g.record.hardware.volumes.filter((v) => devices.has(v.deviceId))
          await this.writeRecord(g)
          this.opts.log?.warn('volumes in the record that the guest no longer has were dropped', { guest: id, volumes: gone.map((v) => v.id) })
        }
      }
      return g.record.hardware.volumes.map((v) => v.id)
    })
  }

  async resizeVolume(id: string, diskId: string, bytes: number): Promise<void> {
    const g = this.get(id)
    await this.withLock(g, async () => {
      if (g.record.suspended) throw new DriverError(`Guest ${id} is suspended: resume it before growing a volume.`)
      const hw = g.record.hardware
      const vol = hw.rootVolume?.id === diskId ? { ...hw.rootVolume, nodeName: 'root' } : hw.volumes.find((v) => v.id === diskId)
      if (!vol) throw new DriverError(`Volume ${diskId} is not attached to guest ${id}.`)
      if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new DriverError(`Cannot grow volume ${diskId} to ${bytes} bytes.`)
      if (await this.alive(g)) {
        const qmp = await this.connectQmp(g)
        // block_resize grows the image through the process that holds its lock, and the guest gets a capacity change.
        const nodes = await qmp.execute<Array<{ 'node-name': string; image: { 'virtual-size': number } }>>('query-named-block-nodes', { flat: true })
        const current = nodes.find((n) => n['node-name'] === vol.nodeName)?.image['virtual-size'] ?? 0
        if (current >= bytes) return
        await qmp.execute('block_resize', { 'node-name': vol.nodeName, size: bytes }, 60_000).catch((e: Error) => {
          throw new DriverError(`Cannot grow volume ${diskId} of guest ${id} to ${bytes} bytes: ${e.message}`)
        })
        this.opts.log?.info('grew an attached volume', { guest: id, volume: diskId, bytes })
        return
      }
      const info = await this.imageInfo(vol.file)
      if (info.virtualSize < bytes) await this.qemuImgRun(['resize', '-q', '-f', vol.format, vol.file, String(bytes)], 'grow the volume')
    })
  }

  // ---------------------------------------------------------------------------------------------------- queries

  async getInfo(id: string): Promise<GuestInfo> {
    const g = this.get(id)
    const state = await this.currentState(g)
    const hw = g.record.hardware
    const info: GuestInfo = { state, vcpus: hw.vcpus, memoryMb: hw.memoryMb }
    if ((state === 'running' || state === 'paused') && g.record.startedAt) info.uptimeSeconds = Math.max(0, Math.round((Date.now() - g.record.startedAt) / 1000))
    return info
  }

  async consoleLog(id: string, lines?: number): Promise<string> {
    const g = this.get(id)
    const max = 1024 * 1024
    let text = ''
    try {
      const fh = await fs.open(g.files.consoleLog, 'r')
      try {
        const { size } = await fh.stat()
        const start = Math.max(0, size - max)
        const buf = Buffer.alloc(size - start)
        await fh.read(buf, 0, buf.length, start)
        text = buf.toString('utf8')
        if (start > 0) text = text.slice(text.indexOf('\n') + 1)
      } finally {
        await fh.close()
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    text = text.replace(/\r\n/g, '\n').replace(/\r/g, '')
    if (lines === undefined) return text
    const all = text.split('\n')
    const trailing = all[all.length - 1] === '' ? 1 : 0
    return all.slice(Math.max(0, all.length - trailing - lines)).join('\n')
  }

  async openSerialConsole(id: string): Promise<NodeJS.ReadWriteStream & { close(): void }> {
    const g = this.get(id)
    if (!(await this.alive(g))) throw new DriverError(`Guest ${id} is not running: its serial console is not available.`)
    const sock = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(g.files.consoleSocket)
      const timer = setTimeout(() => {
        s.destroy()
        reject(new DriverError(`The serial console of guest ${id} did not answer.`))
      }, 5000)
      s.once('connect', () => {
        clearTimeout(timer)
        s.off('error', onErr)
        resolve(s)
      })
      const onErr = (e: Error) => {
        clearTimeout(timer)
        reject(new DriverError(`Cannot open the serial console of guest ${id}: ${e.message}`))
      }
      s.once('error', onErr)
    })
    sock.on('error', () => undefined)
    return Object.assign(sock, { close: () => void sock.destroy() })
  }

  // ---------------------------------------------------------------------------------------------------- internals

  private get(id: string): Guest {
    const g = this.guests.get(id)
    if (!g) throw new GuestNotFound(id)
    return g
  }

  private async ensureAccelerator(): Promise<void> {
    if (!this.accel) this.accel = await chooseAccelerator({ qemuBinary: this.qemu, override: this.opts.accelerator })
  }

  /**
   * Runs `fn` alone among this guest's operations; state changes meanwhile are the operation's, not spontaneous.
   * Whatever it throws reaches the caller as a DriverError (QMP and I/O errors included).
   */
  private withLock<T>(g: Guest, fn: () => Promise<T>): Promise<T> {
    const prev = g.lock
    let release!: () => void
    g.lock = new Promise<void>((r) => (release = r))
    return prev.then(async () => {
      g.busy++
      try {
        return await fn()
      } catch (err) {
        if (err instanceof DriverError) throw err
        throw Object.assign(new DriverError(`Guest ${g.id}: ${(err as Error).message}`), { cause: err })
      } finally {
        g.busy--
        release()
      }
    })
  }

  private async alive(g: Guest): Promise<boolean> {
    if (g.pid && (await isGuestProcess(g.pid, g.id))) return true
    g.pid = undefined
    return false
  }

  private async currentState(g: Guest): Promise<PowerState> {
    if (!(await this.alive(g))) return g.record.suspended ? 'suspended' : 'shutdown'
    try {
      const qmp = await this.connectQmp(g)
      const { status } = await qmp.execute<{ status: string }>('query-status', undefined, 5000)
      return powerStateOf(status)
    } catch {
      // Exited between the two checks, or QMP unreachable.
      return (await this.alive(g)) ? 'nostate' : g.record.suspended ? 'suspended' : 'shutdown'
    }
  }

  private async runningQmp(g: Guest, what: string): Promise<QmpClient> {
    if (!(await this.alive(g))) throw new DriverError(`Cannot ${what} guest ${g.id}: it is not running.`)
    return this.connectQmp(g)
  }

  /** The guest's QMP connection, (re)connecting if needed; concurrent callers share one attempt (QEMU serves one client). */
  private connectQmp(g: Guest): Promise<QmpClient> {
    if (g.qmp?.isOpen) return Promise.resolve(g.qmp)
    if (!g.connecting) {
      g.connecting = QmpClient.connect(g.files.qmpSocket, { timeoutMs: 5000 })
        .then((qmp) => {
          this.attachQmp(g, qmp)
          return qmp
        })
        .finally(() => (g.connecting = undefined))
    }
    return g.connecting
  }

  private attachQmp(g: Guest, qmp: QmpClient): void {
    if (g.qmp?.isOpen && g.qmp !== qmp) g.qmp.close()
    g.qmp = qmp
    qmp.onEvent((e) => this.onQmpEvent(g, e))
    qmp.onClose(() => {
      if (g.qmp === qmp) g.qmp = undefined
      if (!this.closing) void this.onQmpClosed(g)
    })
  }

  private onQmpEvent(g: Guest, e: QmpEvent): void {
    if (e.event === 'RESET') {
      g.record.startedAt = Date.now()
      void this.writeRecord(g).catch(() => undefined)
    } else if (e.event === 'STOP' || e.event === 'RESUME' || e.event === 'GUEST_PANICKED') {
      const state: PowerState = e.event === 'RESUME' ? 'running' : e.event === 'STOP' ? 'paused' : 'crashed'
      this.spontaneous(g, state)
    }
  }

  /** QMP closes when QEMU exits: if the guest powered itself off (or QEMU died), say so once the process is gone. */
  private async onQmpClosed(g: Guest): Promise<void> {
    for (let i = 0; i < 40 && (await this.alive(g)); i++) await sleep(50)
    if (await this.alive(g)) return
    this.spontaneous(g, g.record.suspended ? 'suspended' : 'shutdown')
  }

  private spontaneous(g: Guest, state: PowerState): void {
    if (g.busy > 0 || this.closing || !this.guests.has(g.id) || state === g.lastState) return
    g.lastState = state
    this.opts.log?.info('guest changed state on its own', { guest: g.id, state })
    for (const l of this.listeners) {
      try {
        l({ id: g.id, state })
      } catch {
        // a listener's failure is its own
      }
    }
  }

  /** Starts QEMU for a stopped guest; resolves when QMP answers. On failure no process is left. */
  private async startProcess(g: Guest, opts: { paused: boolean }): Promise<QmpClient> {
    if (g.destroying) throw new DriverError(`Guest ${g.id} is being deleted.`)
    await this.ensureAccelerator()
    const f = g.files
    await fs.mkdir(f.socketDir, { recursive: true, mode: 0o700 })
    for (const stale of [f.qmpSocket, f.consoleSocket, f.pidFile]) await fs.rm(stale, { force: true })
    // One earlier generation of the console log is kept; the live one restarts when it passes 2 MiB.
    const log = await fs.stat(f.consoleLog).catch(() => undefined)
    if (log && log.size > 2 * 1024 * 1024) await fs.rename(f.consoleLog, `${f.consoleLog}.1`)
    await this.prepareNicSockets(g)
    const argv = buildGuestArgv(g.record.hardware, f, { accelerator: this.accel!.accelerator }, opts)
    const errFd = openSync(f.qemuLog, 'w')
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
    let child
    try {
      child = spawn(this.qemu, argv, { detached: true, stdio: ['ignore', 'ignore', errFd], shell: false })
    } finally {
      closeSync(errFd)
    }
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve))
    const exit = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        exited = { code, signal }
        resolve()
      }),
    )
    child.unref()
    const qemuError = async (what: string) => {
      const text = (await fs.readFile(f.qemuLog, 'utf8').catch(() => '')).trim()
      const line = text.split('\n').find((l) => !/warning:/.test(l)) ?? text
      // "qemu-system-x86_64: -blockdev {…json…}: Could not open '…'" → "Could not open '…'"
      const reason = line.replace(/^qemu-system-[^:]+: /, '').replace(/^-[\w-]+ \S+: /, '')
      return new DriverError(`QEMU ${what}${reason ? `: ${reason}` : ''}`)
    }
    const connected = QmpClient.connect(f.qmpSocket, { timeoutMs: 15_000 })
    connected.catch(() => undefined)
    const first = await Promise.race([
      connected.then(
        (q) => ({ q }),
        (e: Error) => ({ connectError: e }),
      ),
      exit.then(() => ({ exit: true as const })),
      spawnError.then((e) => ({ err: e })),
    ])
    if ('err' in first) throw new DriverError(`QEMU cannot be started: ${(first.err as NodeJS.ErrnoException).code === 'ENOENT' ? `${this.qemu} is not installed` : first.err.message}`)
    if ('connectError' in first) {
      // Typically QEMU opened its sockets, then failed on a later option and exited: its own words say why.
      await Promise.race([exit, sleep(2000)])
      if (!exited) {
        try {
          process.kill(child.pid!, 'SIGKILL')
        } catch {
          // exited meanwhile
        }
        await Promise.race([exit, sleep(2000)])
        throw new DriverError(`QEMU started but its monitor did not answer: ${first.connectError.message}`)
      }
    }
    if ('exit' in first || 'connectError' in first) {
      connected.then((q) => q.close(), () => undefined)
      throw await qemuError(`refused to start the guest (exit ${exited?.signal ?? exited?.code})`)
    }
    const qmp = first.q
    g.pid = child.pid
    this.attachQmp(g, qmp)
    g.record.startedAt = Date.now()
    await this.writeRecord(g)
    return qmp
  }

  /** Starts the process paused, loads the saved memory, drops the snapshot, runs. */
  private async resumeFromDisk(g: Guest): Promise<void> {
    const saved = g.record.suspended!
    if (saved.accelerator !== this.accel?.accelerator) {
      throw new DriverError(
        `Guest ${g.id} was suspended under ${saved.accelerator} and this host now uses ${this.accel?.accelerator}: its saved memory cannot be loaded. Hard-reboot it to start it fresh.`,
      )
    }
    const qmp = await this.startProcess(g, { paused: true })
    try {
      await this.runJob(qmp, 'snapshot-load', { tag: SUSPEND_TAG, vmstate: 'root', devices: ['root'] }, 300_000)
      await this.runJob(qmp, 'snapshot-delete', { tag: SUSPEND_TAG, devices: ['root'] }, 60_000)
    } catch (err) {
      await this.stopHard(g)
      throw new DriverError(`Cannot resume guest ${g.id}: ${(err as Error).message}`)
    }
    g.record.suspended = undefined
    await this.writeRecord(g)
    await qmp.execute('cont')
  }

  /** Drops saved memory (power-off or hard reboot of a suspended guest): the disk keeps its state at suspend. */
  private async discardSuspendState(g: Guest): Promise<void> {
    await this.qemuImgRun(['snapshot', '-d', SUSPEND_TAG, g.files.rootDisk], 'drop the saved memory').catch(() => undefined)
    g.record.suspended = undefined
    await this.writeRecord(g)
  }

  /** Runs a QMP job to its end; throws its error. */
  private async runJob(qmp: QmpClient, command: string, args: Record<string, unknown>, timeoutMs: number): Promise<void> {
    const jobId = `${command}-${randomBytes(4).toString('hex')}`
    const concluded = qmp.waitForEvent('JOB_STATUS_CHANGE', timeoutMs, (e) => e.data?.id === jobId && e.data?.status === 'concluded')
    concluded.catch(() => undefined)
    await qmp.execute(command, { 'job-id': jobId, ...args })
    await concluded
    const jobs = await qmp.execute<Array<{ id: string; error?: string }>>('query-jobs')
    const job = jobs.find((j) => j.id === jobId)
    await qmp.execute('job-dismiss', { id: jobId }).catch(() => undefined)
    if (job?.error) throw new DriverError(`${command} failed: ${job.error}`)
  }

  /** Waits until the guest's process is gone; false on timeout. */
  private async waitForExit(g: Guest, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs
    while (await this.alive(g)) {
      const left = end - Date.now()
      if (left <= 0) return false
      const closed = g.qmp?.whenClosed()
      await Promise.race([sleep(Math.min(100, left)), closed ?? sleep(Math.min(100, left))])
      if (closed) await sleep(5)
    }
    return true
  }

  /** QMP quit, then SIGKILL; resolves once no process is left. */
  private async stopHard(g: Guest): Promise<void> {
    if (!(await this.alive(g))) return
    const qmp = await this.connectQmp(g).catch(() => undefined)
    if (qmp) {
      await qmp.execute('quit', undefined, 2000).catch(() => undefined)
      if (await this.waitForExit(g, 3000)) return
    }
    try {
      if (g.pid) process.kill(g.pid, 'SIGKILL')
    } catch {
      // gone already
    }
    if (!(await this.waitForExit(g, 5000))) throw new DriverError(`The QEMU process of guest ${g.id} (pid ${g.pid}) does not exit.`)
  }

  /**
   * Server-mode stream NICs: QEMU listens at the path the network driver chose, so a socket file left there by the
   * guest's previous process is removed (only a socket: anything else at that path is an error, never deleted).
   * Client-mode NICs: QEMU 7.2 connects in the background and never retries, so a switch socket that is not there
   * now would leave the NIC unplugged for the guest's whole life.
   */
  private async prepareNicSockets(g: Guest): Promise<void> {
    for (const [i, nic] of g.record.hardware.nics.entries()) {
      if (nic.backend.type !== 'stream') continue
      const socketPath = nic.backend.socketPath
      const st = await fs.lstat(socketPath).catch(() => undefined)
      if (nic.backend.server) {
        if (st && !st.isSocket()) throw new DriverError(`NIC ${i} of guest ${g.id}: ${socketPath} exists and is not a socket; it is not removed.`)
        if (st) await fs.rm(socketPath, { force: true })
        await fs.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 })
      } else if (!st?.isSocket()) {
        throw new DriverError(`NIC ${i} of guest ${g.id}: the network socket ${socketPath} is not there (is the switch running?).`)
      }
    }
  }

  /** The sockets server-mode NICs listened on (once the guest is gone: the switch must not find them again). */
  private async removeNicSockets(g: Guest): Promise<void> {
    for (const nic of g.record.hardware.nics) {
      if (nic.backend.type !== 'stream' || !nic.backend.server) continue
      const st = await fs.lstat(nic.backend.socketPath).catch(() => undefined)
      if (st?.isSocket()) await fs.rm(nic.backend.socketPath, { force: true })
    }
  }

  private async removeGuestFiles(g: Guest, keepDisks: boolean): Promise<void> {
    await this.removeNicSockets(g).catch(() => undefined)
    const keep = new Set(keepDisks ? [g.files.rootDisk, g.files.ephemeralDisk] : [])
    for (const name of await fs.readdir(g.files.dir).catch(() => [] as string[])) {
      const p = path.join(g.files.dir, name)
      if (!keep.has(p)) await fs.rm(p, { recursive: true, force: true })
    }
    if (g.files.socketDir !== g.files.dir) await fs.rm(g.files.socketDir, { recursive: true, force: true })
    await fs.rm(path.join(this.registryDir, `${g.id}.json`), { force: true })
  }

  private async writeRecord(g: Guest): Promise<void> {
    await atomicWriteFile(g.files.record, JSON.stringify(g.record, null, 2) + '\n')
  }

  private async imageInfo(file: string): Promise<{ format: string; virtualSize: number }> {
    const r = await this.qemuImgRun(['info', '-U', '--output=json', file], 'read the image')
    const info = JSON.parse(r) as { format: string; 'virtual-size': number }
    return { format: info.format, virtualSize: info['virtual-size'] }
  }

  private async qemuImgRun(args: string[], what: string, timeoutMs = 120_000): Promise<string> {
    const r = await run(this.qemuImg, args, { timeoutMs }).catch((e: Error) => {
      throw new DriverError(`Cannot ${what}: ${e.message} (install the qemu-utils package).`)
    })
    if (r.code !== 0) throw new DriverError(`Cannot ${what}: ${r.stderr.trim().replace(/^qemu-img: /, '') || `qemu-img exit ${r.code}`}`)
    return r.stdout
  }
}
