import { promises as fs, existsSync } from 'node:fs'
import path from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import type net from 'node:net'
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
  imageRootDisk,
} from '../hypervisor-driver'
import { atomicWriteFile } from '../../../platform/fs/atomic-write'
import type { Logger } from '../../../platform/log'
import * as cmd from './hyperv-commands'
import { toPowerState } from './hyperv-state'
import { PowerShellRunner, PsError, asList, nodeExecutor, type Executor, type PsCommand } from './powershell'
import { SerialConsole, tailConsoleLog, type ConsoleStream } from './serial-console'

export interface HyperVDriverOptions {
  /** Runs powershell.exe and qemu-img; tests pass a recorder. */
  executor?: Executor
  /** `powershell.exe` (default) or `pwsh`. */
  powershell?: string
  /** qemu-img converts qcow2/raw images to VHDX and snapshots back. Default `qemu-img` on PATH. */
  qemuImg?: string
  /** The switch guests with a `user` NIC join. Default "Default Switch" (NAT + DHCP, Windows 10 1709 and later). */
  switchName?: string
  /** Created as an Internal switch when `switchName` does not exist (Windows Server has no Default Switch). */
  fallbackSwitchName?: string
  /** Stackling's data folder: converted base images are cached in <dataDir>/hyperv/base-images. */
  dataDir?: string
  /**
   * Where converted base images are kept and shared between instances (never deleted by destroy). Default: under
   * dataDir; without either, each instance converts its own base.vhdx into its folder.
   */
  baseImageCacheDir?: string
  /** How often guests are checked for changes of state on their own. 0 = never. Default 10 s. */
  pollIntervalMs?: number
  /** SOFT reboot: how long the guest gets to shut down before it is turned off. Default 120 s. */
  softRebootTimeoutMs?: number
  /** The serial console's pipe and how to connect to it; tests point these at a unix socket. */
  serial?: { pipePath?: (id: string) => string; connect?: (path: string) => net.Socket; retryMs?: number }
  log?: Pick<Logger, 'info' | 'warn'>
  /** Given by the registry to every driver; Hyper-V has no choice of accelerator. */
  accelerator?: string
}

interface Guest {
  id: string
  /** Hyper-V's GUID of the VM: kept here, never handed out. */
  vmId?: string
  instanceDir: string
  /** The last state seen or caused by the driver; changes from elsewhere fire onDidChangeState. */
  state?: PowerState
}

interface VmRecord {
  name: string
  vmId: string
  state: string
  stateValue?: number
  processorCount: number
  memoryStartupBytes: number
  uptimeSeconds: number
  diskPaths: string[]
}

interface HostProbe {
  hyperVModule: boolean
  moduleVersion: string | null
  vmmsStatus: string | null
  isAdmin: boolean
  isHyperVAdmin: boolean
  osCaption: string
  osVersion: string
  architecture: string
  psVersion: string
}

const ROOT_DISK = 'root.vhdx'
const BASE_DISK = 'base.vhdx'
const EPHEMERAL_DISK = 'ephemeral.vhdx'
const CONFIG_ISO = 'config-drive.iso'
const CONFIG_STAGING = 'config-drive'
const CONSOLE_LOG = 'console.log'
const VOLUMES_FILE = 'volumes.json'
const GiB = 1024 * 1024 * 1024
const MiB = 1024 * 1024

/** The files of one guest inside its instance folder. */
export function guestLayout(instanceDir: string) {
  return {
    base: path.join(instanceDir, BASE_DISK),
    root: path.join(instanceDir, ROOT_DISK),
    ephemeral: path.join(instanceDir, EPHEMERAL_DISK),
    configIso: path.join(instanceDir, CONFIG_ISO),
    configStaging: path.join(instanceDir, CONFIG_STAGING),
    consoleLog: path.join(instanceDir, CONSOLE_LOG),
    volumes: path.join(instanceDir, VOLUMES_FILE),
  }
}

/**
 * Hyper-V through its PowerShell module. Every guest is a Hyper-V VM named `stackling-<instance id>` whose files
 * all live in the instance folder: the VM configuration (New-VM -Path), a differencing root.vhdx over a VHDX
 * converted from the image, the ephemeral disk, the config drive ISO and the console log.
 */
export class HyperVDriver implements HypervisorDriver {
  readonly name = 'hyperv'
  readonly capabilities: DriverCapabilities = {
    supportsPause: true,
    supportsSuspend: true,
    supportsSnapshot: true,
    supportsLiveAttach: true,
    supportsSerialConsole: true,
  }

  private readonly ps: PowerShellRunner
  private readonly executor: Executor
  private readonly qemuImg: string
  private readonly guests = new Map<string, Guest>()
  private readonly consoles = new Map<string, SerialConsole>()
  private readonly listeners = new Set<(e: GuestStateEvent) => void>()
  private readonly conversions = new Map<string, Promise<string>>()
  private switchName: string | undefined
  private pollTimer: NodeJS.Timeout | undefined
  private polling = false

  constructor(private readonly opts: HyperVDriverOptions = {}) {
    this.executor = opts.executor ?? nodeExecutor
    this.ps = new PowerShellRunner({ executor: this.executor, program: opts.powershell })
    this.qemuImg = opts.qemuImg ?? 'qemu-img'
  }

  async initHost(): Promise<HostInfo> {
    const probe = (await this.run(cmd.probeHost())) as HostProbe
    if (!probe.hyperVModule) {
      throw new DriverError(
        'The Hyper-V PowerShell module is not available. Turn on the Windows features "Hyper-V Platform" and "Hyper-V Module for Windows PowerShell", then restart Windows.',
      )
    }
    if (!probe.isAdmin && !probe.isHyperVAdmin) {
      throw new DriverError(
        'This user may not manage Hyper-V. Add it to the "Hyper-V Administrators" group (then sign out and in again) or run Stackling as administrator.',
      )
    }
    if (probe.vmmsStatus !== null && probe.vmmsStatus !== 'Running') {
      throw new DriverError(`The Hyper-V Virtual Machine Management service (vmms) is ${probe.vmmsStatus}; start it, or restart Windows.`)
    }
    const sw = (await this.run(cmd.ensureSwitch(this.opts.switchName ?? 'Default Switch', this.opts.fallbackSwitchName ?? 'stackling'))) as {
      name: string
      created: boolean
    }
    this.switchName = sw.name
    await this.adoptExisting()
    const qemuImgNote = await this.probeQemuImg()
    clearInterval(this.pollTimer)
    if (this.opts.pollIntervalMs !== 0) {
      this.pollTimer = setInterval(() => void this.pollStates(), this.opts.pollIntervalMs ?? 10_000)
      this.pollTimer.unref()
    }
    const who = probe.isAdmin ? 'administrator' : 'member of Hyper-V Administrators'
    return {
      hypervisorType: 'hyperv',
      hypervisorVersion: probe.osVersion,
      accelerator: 'hyperv',
      acceleratorNote: `Hyper-V on ${probe.osCaption} ${probe.osVersion} (module ${probe.moduleVersion ?? '?'}, PowerShell ${probe.psVersion}, ${who}); guests join the switch "${sw.name}"${sw.created ? ' (created, Internal: no DHCP)' : ''}; ${qemuImgNote}`,
      architecture: architectureOf(probe.architecture),
    }
  }

  async listGuests(): Promise<string[]> {
    return [...this.guests.values()].filter((g) => existsSync(g.instanceDir)).map((g) => g.id)
  }

  async spawn(spec: GuestSpec, opts: { powerOn: boolean }): Promise<void> {
    const plan = this.plan(spec)
    const name = cmd.vmName(spec.id)
    if (this.guests.has(spec.id) || (await this.run(cmd.getVm({ name }, { optional: true }))) !== null) {
      throw new DriverError(`A Hyper-V VM named ${name} already exists.`)
    }
    const layout = guestLayout(spec.instanceDir)
    try {
      const base = await this.baseVhdx(spec)
      await this.run(
        cmd.newDisks({
          baseVhdx: base,
          rootVhdx: layout.root,
          rootSizeBytes: imageRootDisk(spec, 'Hyper-V').sizeGb * GiB,
          ephemeral: spec.ephemeralGb ? { path: layout.ephemeral, sizeBytes: spec.ephemeralGb * GiB } : undefined,
        }),
      )
      if (spec.configDrive) {
        await writeConfigDriveFiles(layout.configStaging, spec.configDrive)
        await this.run(cmd.newConfigDrive(layout.configStaging, layout.configIso))
        await fs.rm(layout.configStaging, { recursive: true, force: true })
      }
      const created = (await this.run(
        cmd.createVm({
          name,
          displayName: spec.name,
          instanceId: spec.id,
          path: spec.instanceDir,
          generation: plan.generation,
          vcpus: spec.vcpus,
          memoryBytes: spec.memoryMb * MiB,
          rootVhdx: layout.root,
          dataDisks: [...(spec.ephemeralGb ? [layout.ephemeral] : []), ...plan.volumes.map((v) => v.file)],
          configIso: spec.configDrive ? layout.configIso : undefined,
          secureBoot: cmd.chooseSecureBoot(spec.imageProperties),
          nics: spec.nics.map((n) => ({ switchName: plan.switchName, mac: n.mac })),
          pipePath: this.pipePath(spec.id),
        }),
      )) as { vmId: string }
      const guest: Guest = { id: spec.id, vmId: created.vmId, instanceDir: spec.instanceDir, state: 'shutdown' }
      this.guests.set(spec.id, guest)
      if (plan.volumes.length > 0) await this.writeVolumes(guest, Object.fromEntries(plan.volumes.map((v) => [v.id, v.file])))
      if (opts.powerOn) {
        await this.run(cmd.startVm(this.ref(guest)))
        guest.state = 'running'
        await this.startConsole(guest)
      }
    } catch (err) {
      throw await this.undoSpawn(spec, err)
    }
  }

  async destroy(id: string, opts: { keepDisks: boolean }): Promise<void> {
    const name = cmd.vmName(id)
    const guest = this.guests.get(id)
    await this.stopConsole(id)
    await this.run(cmd.destroyVm(guest ? this.ref(guest) : { name }))
    if (guest) {
      await emptyFolder(guest.instanceDir, opts.keepDisks ? (f) => f.toLowerCase().endsWith('.vhdx') : () => false)
      this.guests.delete(id)
    }
  }

  async powerOff(id: string, opts: { timeoutMs: number }): Promise<void> {
    const guest = await this.guest(id)
    await this.run(cmd.stopVm(this.ref(guest), opts.timeoutMs), id)
    guest.state = 'shutdown'
    await this.stopConsole(id)
  }

  async powerOn(id: string): Promise<void> {
    const guest = await this.guest(id)
    await this.run(cmd.startVm(this.ref(guest)), id)
    guest.state = 'running'
    await this.startConsole(guest)
  }

  async reboot(id: string, type: 'SOFT' | 'HARD'): Promise<void> {
    const guest = await this.guest(id)
    const command = type === 'HARD' ? cmd.restartVm(this.ref(guest)) : cmd.softRebootVm(this.ref(guest), this.opts.softRebootTimeoutMs ?? 120_000)
    await this.run(command, id)
    guest.state = 'running'
    await this.startConsole(guest)
  }

  async pause(id: string): Promise<void> {
    const guest = await this.guest(id)
    await this.run(cmd.pauseVm(this.ref(guest)), id)
    guest.state = 'paused'
  }

  async unpause(id: string): Promise<void> {
    const guest = await this.guest(id)
    await this.run(cmd.unpauseVm(this.ref(guest)), id)
    guest.state = 'running'
  }

  async suspend(id: string): Promise<void> {
    const guest = await this.guest(id)
    await this.run(cmd.suspendVm(this.ref(guest)), id)
    guest.state = 'suspended'
    await this.stopConsole(id)
  }

  async resume(id: string): Promise<void> {
    const guest = await this.guest(id)
    await this.run(cmd.resumeVm(this.ref(guest)), id)
    guest.state = 'running'
    await this.startConsole(guest)
  }

  /**
   * Convert-VHD (in PowerShell) merges the root disk's chain into a standalone VHDX in the instance folder,
   * under a checkpoint when the guest runs; qemu-img then writes that as qcow2/raw. qemu-img alone cannot:
   * it does not read differencing VHDX files.
   */
  async snapshot(id: string, targetFile: string, format: 'qcow2' | 'raw'): Promise<void> {
    const guest = await this.guest(id)
    const suffix = randomBytes(6).toString('hex')
    const standalone = path.join(guest.instanceDir, `snapshot-${suffix}.vhdx`)
    try {
      await this.run(cmd.exportRootDisk(this.ref(guest), guestLayout(guest.instanceDir).root, standalone, `stackling-snapshot-${suffix}`), id)
      try {
        await this.program(cmd.convertFromVhdx(this.qemuImg, standalone, targetFile, format), 60 * 60_000)
      } catch (err) {
        await fs.rm(targetFile, { force: true })
        throw err
      }
    } finally {
      await fs.rm(standalone, { force: true })
    }
  }

  async attachVolume(id: string, disk: DiskAttachment): Promise<void> {
    const file = checkVolume(disk)
    const guest = await this.guest(id)
    const volumes = await this.readVolumes(guest)
    if (volumes[disk.id] !== undefined && volumes[disk.id] !== file) throw new DriverError(`Volume ${disk.id} is already attached to guest ${id}.`)
    await this.run(cmd.attachDisk(this.ref(guest), file), id)
    await this.writeVolumes(guest, { ...volumes, [disk.id]: file })
  }

  async detachVolume(id: string, diskId: string): Promise<void> {
    const guest = await this.guest(id)
    const volumes = await this.readVolumes(guest)
    const file = volumes[diskId]
    if (file === undefined) throw new DriverError(`Volume ${diskId} is not attached to guest ${id}.`)
    await this.run(cmd.detachDisk(this.ref(guest), file), id)
    delete volumes[diskId]
    await this.writeVolumes(guest, volumes)
  }

  async attachedVolumes(id: string): Promise<string[]> {
    return Object.keys(await this.readVolumes(await this.guest(id)))
  }

  /** Refused: a VHDX attached to a running VM would need Resize-VHD online, which this driver does not do yet. */
  async resizeVolume(id: string, diskId: string, _bytes: number): Promise<void> {
    await this.guest(id)
    throw new DriverError(`The Hyper-V driver cannot grow an attached volume (${diskId} of guest ${id}): detach it, extend it, attach it again.`)
  }

  async getInfo(id: string): Promise<GuestInfo> {
    const guest = this.guests.get(id)
    const record = (await this.run(cmd.getVm(guest ? this.ref(guest) : { name: cmd.vmName(id) }), id)) as VmRecord
    return toGuestInfo(record)
  }

  async consoleLog(id: string, lines?: number): Promise<string> {
    const guest = await this.guest(id)
    return tailConsoleLog(guestLayout(guest.instanceDir).consoleLog, lines)
  }

  async openSerialConsole(id: string): Promise<ConsoleStream> {
    const guest = await this.guest(id)
    if (guest.state !== 'running' && guest.state !== 'paused') throw new DriverError(`Guest ${id} is not running: its serial console is closed.`)
    const serial = await this.startConsole(guest)
    if (!serial) throw new DriverError('The serial console of Hyper-V guests is a Windows named pipe; this host cannot open it.')
    return serial.attach()
  }

  onDidChangeState(listener: (e: GuestStateEvent) => void): { dispose(): void } {
    this.listeners.add(listener)
    return { dispose: () => this.listeners.delete(listener) }
  }

  async shutdownHost(): Promise<void> {
    clearInterval(this.pollTimer)
    this.pollTimer = undefined
    await Promise.all([...this.consoles.keys()].map((id) => this.stopConsole(id)))
  }

  /**
   * One round of the state watch: fires onDidChangeState for every known guest whose state differs from the
   * last one seen or caused by the driver (a shutdown from inside, a crash, a VM removed in Hyper-V Manager).
   */
  async pollStates(): Promise<void> {
    if (this.polling) return
    this.polling = true
    try {
      const records = new Map(asList(await this.run(cmd.listVms())).map((r) => [(r as VmRecord).name, r as VmRecord]))
      for (const guest of this.guests.values()) {
        const record = records.get(cmd.vmName(guest.id))
        const state = record ? toPowerState(record.state, record.stateValue) : 'nostate'
        if (state === guest.state) continue
        guest.state = state
        if (state === 'running' || state === 'paused') void this.startConsole(guest)
        else void this.stopConsole(guest.id)
        for (const l of this.listeners) l({ id: guest.id, state })
      }
    } catch (err) {
      this.opts.log?.warn('hyperv: state poll failed', { error: (err as Error).message })
    } finally {
      this.polling = false
    }
  }

  // -------------------------------------------------------------------------------------------------------------

  /** Checks the spec against what Hyper-V can do, before anything is created. */
  private plan(spec: GuestSpec) {
    cmd.assertInstanceId(spec.id)
    if (!path.isAbsolute(spec.instanceDir)) throw new DriverError(`The instance folder ${spec.instanceDir} is not an absolute path.`)
    const root = imageRootDisk(spec, 'Hyper-V')
    if (!path.isAbsolute(root.baseImage)) throw new DriverError(`The base image ${root.baseImage} is not an absolute path.`)
    if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1 || spec.vcpus > 240) throw new DriverError(`Hyper-V cannot give a VM ${spec.vcpus} vCPUs (1 to 240).`)
    if (!Number.isInteger(spec.memoryMb) || spec.memoryMb < 32 || spec.memoryMb % 2 !== 0) {
      throw new DriverError(`Hyper-V needs a VM's memory in whole, even megabytes of at least 32; got ${spec.memoryMb} MB.`)
    }
    for (const n of spec.nics) {
      if (n.backend.type !== 'user') {
        throw new DriverError(
          `Hyper-V guests join a Hyper-V virtual switch; a NIC on a ${n.backend.type} backend (a QEMU socket of the userspace switch) cannot be plugged. ` +
            'Neutron ports on Hyper-V need a Hyper-V switch driver for the network service, which this Stackling does not have yet: boot with --nic none, or run the cloud with STACKLING_NETWORK_DRIVER=noop.',
        )
      }
      cmd.hypervMac(n.mac)
    }
    if (spec.nics.length > 0 && !this.switchName) throw new DriverError('initHost has not chosen a Hyper-V switch yet.')
    const volumes = (spec.volumes ?? []).map((v) => ({ id: v.id, file: checkVolume(v) }))
    return { generation: cmd.chooseGeneration(spec.imageProperties), switchName: this.switchName ?? '', volumes }
  }

  /** After a failed spawn: remove the VM (if it got that far) and everything in the folder; the original error goes on. */
  private async undoSpawn(spec: GuestSpec, err: unknown): Promise<unknown> {
    this.guests.delete(spec.id)
    const problems: string[] = []
    await this.stopConsole(spec.id)
    try {
      await this.run(cmd.destroyVm({ name: cmd.vmName(spec.id) }))
    } catch (e) {
      problems.push((e as Error).message)
    }
    try {
      await emptyFolder(spec.instanceDir, () => false)
    } catch (e) {
      problems.push((e as Error).message)
    }
    if (problems.length === 0 || !(err instanceof Error)) return err
    // Kept so that a later destroy can finish the job.
    this.guests.set(spec.id, { id: spec.id, instanceDir: spec.instanceDir })
    err.message += ` (Cleaning up also failed: ${problems.join('; ')})`
    return err
  }

  /** The VHDX every root disk of this image is a child of: converted once (per cache, or per instance). */
  private async baseVhdx(spec: GuestSpec): Promise<string> {
    const { baseImage, baseFormat } = imageRootDisk(spec, 'Hyper-V')
    const cacheDir = this.opts.baseImageCacheDir ?? (this.opts.dataDir ? path.join(this.opts.dataDir, 'hyperv', 'base-images') : undefined)
    if (!cacheDir) {
      const target = guestLayout(spec.instanceDir).base
      await this.program(cmd.convertToVhdx(this.qemuImg, baseImage, baseFormat, target), 30 * 60_000)
      return target
    }
    const st = await fs.stat(baseImage)
    const key = createHash('sha256').update(`${path.resolve(baseImage)}\0${st.size}\0${st.mtimeMs}\0${baseFormat}`).digest('hex').slice(0, 32)
    const target = path.join(cacheDir, `${key}.vhdx`)
    if (existsSync(target)) return target
    let pending = this.conversions.get(target)
    if (!pending) {
      pending = (async () => {
        await fs.mkdir(cacheDir, { recursive: true })
        const tmp = path.join(cacheDir, `.${key}.${randomBytes(4).toString('hex')}.vhdx`)
        try {
          await this.program(cmd.convertToVhdx(this.qemuImg, baseImage, baseFormat, tmp), 30 * 60_000)
          await fs.rename(tmp, target)
        } finally {
          await fs.rm(tmp, { force: true })
        }
        return target
      })().finally(() => this.conversions.delete(target))
      this.conversions.set(target, pending)
    }
    return pending
  }

  private async adoptExisting(): Promise<void> {
    for (const r of asList(await this.run(cmd.listVms())) as VmRecord[]) {
      const id = cmd.instanceIdOf(r.name)
      const root = asList(r.diskPaths).find((p): p is string => typeof p === 'string' && path.win32.basename(p).toLowerCase() === ROOT_DISK)
      if (id === undefined || !root) {
        this.opts.log?.warn('hyperv: not adopting a VM without a root disk of ours', { vm: r.name })
        continue
      }
      const guest: Guest = { id, vmId: r.vmId, instanceDir: path.win32.dirname(root), state: toPowerState(r.state, r.stateValue) }
      this.guests.set(id, guest)
      if (guest.state === 'running' || guest.state === 'paused') await this.startConsole(guest)
    }
  }

  private async probeQemuImg(): Promise<string> {
    try {
      const out = await this.executor(this.qemuImg, ['--version'], { timeoutMs: 15_000 })
      const version = /version\s+(\S+)/.exec(out.stdout)?.[1]
      return out.code === 0 ? `qemu-img ${version ?? '(version unknown)'}` : `qemu-img failed (exit code ${out.code}): spawn will fail`
    } catch (err) {
      return `${(err as Error).message}: spawn will fail until it is`
    }
  }

  private async guest(id: string): Promise<Guest> {
    cmd.assertInstanceId(id)
    const guest = this.guests.get(id)
    if (!guest) throw new GuestNotFound(id)
    return guest
  }

  private ref(guest: Guest): cmd.VmRef {
    return { name: cmd.vmName(guest.id), vmId: guest.vmId }
  }

  /** Runs a PowerShell command; a VM that is not there becomes GuestNotFound(id). */
  private async run(command: PsCommand, id?: string): Promise<unknown> {
    try {
      return await this.ps.run(command)
    } catch (err) {
      if (id !== undefined && err instanceof PsError && err.details.notFound !== undefined) throw new GuestNotFound(id)
      throw err
    }
  }

  private async program(call: cmd.ProgramCall, timeoutMs: number): Promise<void> {
    const out = await this.executor(call.program, call.args, { timeoutMs })
    if (out.timedOut) throw new DriverError(`${call.program} ${call.args[0]} did not finish within ${Math.round(timeoutMs / 1000)} s.`)
    if (out.code !== 0) throw new DriverError(`${call.program} ${call.args[0]} failed (exit code ${out.code}): ${out.stderr.trim() || out.stdout.trim()}`)
  }

  private pipePath(id: string): string {
    return this.opts.serial?.pipePath?.(id) ?? cmd.serialPipePath(id)
  }

  /** Holds the guest's serial pipe; only on Windows, or where tests provide a pipe. */
  private async startConsole(guest: Guest): Promise<SerialConsole | undefined> {
    const existing = this.consoles.get(guest.id)
    if (existing) return existing
    if (process.platform !== 'win32' && !this.opts.serial?.pipePath) return undefined
    const serial = new SerialConsole({
      pipePath: this.pipePath(guest.id),
      logFile: guestLayout(guest.instanceDir).consoleLog,
      connect: this.opts.serial?.connect,
      retryMs: this.opts.serial?.retryMs,
    })
    this.consoles.set(guest.id, serial)
    await serial.start()
    return serial
  }

  private async stopConsole(id: string): Promise<void> {
    const serial = this.consoles.get(id)
    this.consoles.delete(id)
    await serial?.stop()
  }

  private async readVolumes(guest: Guest): Promise<Record<string, string>> {
    try {
      return JSON.parse(await fs.readFile(guestLayout(guest.instanceDir).volumes, 'utf8')) as Record<string, string>
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw err
    }
  }

  private async writeVolumes(guest: Guest, volumes: Record<string, string>): Promise<void> {
    await atomicWriteFile(guestLayout(guest.instanceDir).volumes, JSON.stringify(volumes, null, 2))
  }
}

function toGuestInfo(r: VmRecord): GuestInfo {
  const state = toPowerState(r.state, r.stateValue)
  return {
    state,
    vcpus: r.processorCount,
    memoryMb: Math.round(r.memoryStartupBytes / MiB),
    ...(state === 'running' ? { uptimeSeconds: r.uptimeSeconds } : {}),
  }
}

/**
 * Hyper-V attaches VHDX/VHD files only. Until DiskAttachment can say 'vhdx' (see README), a qcow2 or raw volume
 * is refused with a message that says so; a .vhdx/.vhd file is taken whatever the declared format.
 */
function checkVolume(disk: DiskAttachment): string {
  const ext = path.extname(disk.file).toLowerCase()
  if (ext !== '.vhdx' && ext !== '.vhd') {
    throw new DriverError(`Hyper-V can attach only VHDX or VHD files; volume ${disk.id} is a ${disk.format} file (${path.basename(disk.file)}).`)
  }
  if (disk.readOnly) throw new DriverError(`Hyper-V cannot attach volume ${disk.id} read-only.`)
  if (!path.isAbsolute(disk.file)) throw new DriverError(`The volume file ${disk.file} is not an absolute path.`)
  return disk.file
}

/** Writes the config drive's files under `dir`; a path that would leave it is refused. */
export async function writeConfigDriveFiles(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true })
  for (const [rel, content] of Object.entries(files)) {
    const parts = rel.split('/')
    if (rel === '' || rel.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes(':'))) {
      throw new DriverError(`Config drive path ${JSON.stringify(rel)} is not a plain relative path.`)
    }
    const file = path.join(dir, ...parts)
    await fs.mkdir(path.dirname(file), { recursive: true })
    await fs.writeFile(file, content)
  }
}

/** Removes every entry of `dir` except the files `keep` names; a missing folder is already empty. */
async function emptyFolder(dir: string, keep: (name: string) => boolean): Promise<void> {
  let entries: string[]
  try {
    entries = await fs.readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  for (const e of entries) if (!keep(e)) await fs.rm(path.join(dir, e), { recursive: true, force: true })
}

function architectureOf(processorArchitecture: string): string {
  const arch = processorArchitecture.toUpperCase()
  if (arch === 'AMD64') return 'x86_64'
  if (arch === 'ARM64') return 'aarch64'
  if (arch === 'X86') return 'i686'
  return processorArchitecture.toLowerCase()
}
