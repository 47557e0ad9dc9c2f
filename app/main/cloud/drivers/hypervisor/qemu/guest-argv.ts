import { createHash } from 'node:crypto'
import path from 'node:path'
import { DriverError, type DiskAttachment, type NicSpec } from '../hypervisor-driver'
import { cpuModelFor, type Accelerator } from './accelerator'

/**
 * Pure: a guest's virtual hardware and its files in, the qemu-system-x86_64 argument array out. No policy, no I/O
 * (like Nova's libvirt config.py). The QMP hotplug of volumes uses the same `volumeBlockdev`/`volumeDevice`
 * objects as the command line, so a volume looks the same whether it was there at start or plugged in later.
 */

/** Every file of one guest. All live in the instance folder, except the sockets when that path is too long. */
export interface GuestFiles {
  dir: string
  /** qcow2 overlay over the image: the root disk. */
  rootDisk: string
  ephemeralDisk: string
  /** VFAT image labelled config-2. */
  configDrive: string
  /** The guest's hardware and driver state (JSON): what a restarted driver needs to start or adopt it. */
  record: string
  consoleLog: string
  /** QEMU's own stderr (start-up errors). */
  qemuLog: string
  pidFile: string
  /** Folder of the two sockets: the instance folder, or a short folder under the temp dir (see socketDirFor). */
  socketDir: string
  qmpSocket: string
  consoleSocket: string
}

/** A volume as plugged into a guest: the attachment plus the QEMU names it got. */
export interface AttachedVolume extends DiskAttachment {
  /** Block node name (QEMU allows at most 31 characters, so derived from a hash of the id). */
  nodeName: string
  /** PCI device id. */
  deviceId: string
}

/** What the guest is made of; stored in the guest record, so a restarted driver can start it the same way. */
export interface GuestHardware {
  id: string
  name: string
  vcpus: number
  memoryMb: number
  nics: NicSpec[]
  hasConfigDrive: boolean
  hasEphemeral: boolean
  volumes: AttachedVolume[]
  /** Boot from volume: this volume's file is the root disk (node `root`), used directly; absent: `files.rootDisk`. */
  rootVolume?: DiskAttachment
  imageProperties: Record<string, string>
}

export interface HostFacts {
  accelerator: Accelerator
}

export interface StartOptions {
  /** -S: the vCPUs wait for QMP `cont` (used to load a suspended guest's memory before it runs). */
  paused: boolean
}

/** Longest socket path we use: sockaddr_un.sun_path is 108 bytes on Linux, 104 on macOS, with a NUL. */
export const MAX_SOCKET_PATH = 100

/**
 * The folder for a guest's sockets: the instance folder when `console.sock` under it fits in a socket address,
 * else `<tmpdir>/stackling-<16 hex of sha256(instanceDir)>` (stable, so a restarted driver finds it again).
 */
export function socketDirFor(instanceDir: string, tmpDir: string): string {
  if (Buffer.byteLength(path.join(instanceDir, 'console.sock')) <= MAX_SOCKET_PATH) return instanceDir
  return path.join(tmpDir, `stackling-${createHash('sha256').update(instanceDir).digest('hex').slice(0, 16)}`)
}

export function guestFiles(instanceDir: string, tmpDir: string): GuestFiles {
  const dir = path.resolve(instanceDir)
  const socketDir = socketDirFor(dir, tmpDir)
  return {
    dir,
    rootDisk: path.join(dir, 'disk.qcow2'),
    ephemeralDisk: path.join(dir, 'ephemeral.qcow2'),
    configDrive: path.join(dir, 'config-2.img'),
    record: path.join(dir, 'guest.json'),
    consoleLog: path.join(dir, 'console.log'),
    qemuLog: path.join(dir, 'qemu.log'),
    pidFile: path.join(dir, 'qemu.pid'),
    socketDir,
    qmpSocket: path.join(socketDir, 'qmp.sock'),
    consoleSocket: path.join(socketDir, 'console.sock'),
  }
}

/** QEMU and block node names for a volume id (pure, stable). */
export function volumeNames(diskId: string): { nodeName: string; deviceId: string } {
  const h = createHash('sha256').update(diskId).digest('hex').slice(0, 16)
  return { nodeName: `vol-${h}`, deviceId: `vol-${h}-dev` }
}

/** The block node of a volume (for -blockdev JSON and QMP blockdev-add). */
export function volumeBlockdev(v: AttachedVolume): Record<string, unknown> {
  return fileBlockdev(v.nodeName, v.format, v.file, v.readOnly ?? false)
}

/** The guest device of a volume (for -device and QMP device_add). Nova sets the disk serial to the volume id. */
export function volumeDevice(v: AttachedVolume): Record<string, string> {
  // virtio-blk serials are at most 20 bytes; /dev/disk/by-id/virtio-<first 20 chars of the volume id> as on Nova.
  return { driver: 'virtio-blk-pci', id: v.deviceId, drive: v.nodeName, serial: v.id.slice(0, 20) }
}

function fileBlockdev(nodeName: string, format: 'qcow2' | 'raw', filename: string, readOnly: boolean): Record<string, unknown> {
  const node: Record<string, unknown> = {
    driver: format,
    'node-name': nodeName,
    'read-only': readOnly,
    file: { driver: 'file', filename, 'read-only': readOnly },
  }
  if (!readOnly) node.discard = 'unmap'
  return node
}

/** QEMU's key=value option syntax: a comma inside a value is written twice. */
export function optValue(v: string): string {
  return v.replace(/,/g, ',,')
}

function opts(head: string, props: Record<string, string | number | boolean | undefined>): string {
  const parts = [head]
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue
    parts.push(`${k}=${optValue(typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v))}`)
  }
  return parts.join(',')
}

function deviceOpts(d: Record<string, string>): string {
  const { driver, ...rest } = d
  return opts(driver!, rest)
}

const NIC_MODELS: Record<string, string> = {
  virtio: 'virtio-net-pci',
  e1000: 'e1000',
  e1000e: 'e1000e',
  rtl8139: 'rtl8139',
  ne2k_pci: 'ne2k_pci',
  pcnet: 'pcnet',
}
const DISK_BUSES = ['virtio', 'scsi', 'ide'] as const
type DiskBus = (typeof DISK_BUSES)[number]

export function machineTypeOf(props: Record<string, string>): string {
  const m = props.hw_machine_type ?? 'pc'
  if (!/^(pc|q35|pc-i440fx-\d+\.\d+|pc-q35-\d+\.\d+)$/.test(m)) {
    throw new DriverError(`The image property hw_machine_type=${m} is not supported (use pc or q35).`)
  }
  return m
}

export function diskBusOf(props: Record<string, string>): DiskBus {
  const b = props.hw_disk_bus ?? 'virtio'
  if (!(DISK_BUSES as readonly string[]).includes(b)) {
    throw new DriverError(`The image property hw_disk_bus=${b} is not supported (use ${DISK_BUSES.join(', ')}).`)
  }
  return b as DiskBus
}

export function nicModelOf(props: Record<string, string>): string {
  const m = props.hw_vif_model ?? 'virtio'
  const dev = NIC_MODELS[m]
  if (!dev) throw new DriverError(`The image property hw_vif_model=${m} is not supported (use ${Object.keys(NIC_MODELS).join(', ')}).`)
  return dev
}

/** The process name ps/pgrep show for a guest (also how a restarted driver recognises its QEMU in /proc). */
export function processNameOf(id: string): string {
  return `stackling-${id}`
}

/**
 * The whole command line. Layout: machine and accelerator; CPU and memory; the root disk (bootindex 0: the overlay,
 * or the root volume's file itself when booting from a volume), the config
 * drive, the ephemeral disk, then volumes in attach order; NICs; RNG; serial console (socket + log file); QMP;
 * pidfile, process name; -S when asked to start paused.
 */
export function buildGuestArgv(hw: GuestHardware, files: GuestFiles, host: HostFacts, start: StartOptions): string[] {
  const props = hw.imageProperties
  const machine = machineTypeOf(props)
  const bus = diskBusOf(props)
  const nicModel = nicModelOf(props)
  const a: string[] = []
  a.push('-machine', machine, '-accel', host.accelerator, '-cpu', cpuModelFor(host.accelerator))
  a.push('-smp', String(hw.vcpus), '-m', String(hw.memoryMb))
  a.push('-nodefaults', '-no-user-config', '-display', 'none', '-rtc', 'base=utc')

  const root = hw.rootVolume
  a.push('-blockdev', JSON.stringify(root ? fileBlockdev('root', root.format, root.file, root.readOnly ?? false) : fileBlockdev('root', 'qcow2', files.rootDisk, false)))
  if (bus === 'virtio') a.push('-device', 'virtio-blk-pci,id=root-disk,drive=root,bootindex=0')
  else if (bus === 'scsi') a.push('-device', 'virtio-scsi-pci,id=scsi0', '-device', 'scsi-hd,id=root-disk,bus=scsi0.0,drive=root,bootindex=0')
  else a.push('-device', 'ide-hd,id=root-disk,bus=ide.0,drive=root,bootindex=0')

  // The guest image looks for config-2 on virtio disks first (cheapest), so it is a read-only virtio disk.
  if (hw.hasConfigDrive) {
    a.push('-blockdev', JSON.stringify(fileBlockdev('config', 'raw', files.configDrive, true)))
    a.push('-device', 'virtio-blk-pci,id=config-drive,drive=config,serial=config-2')
  }
  if (hw.hasEphemeral) {
    a.push('-blockdev', JSON.stringify(fileBlockdev('ephemeral', 'qcow2', files.ephemeralDisk, false)))
    a.push('-device', 'virtio-blk-pci,id=ephemeral-disk,drive=ephemeral,serial=ephemeral0')
  }
  for (const v of hw.volumes) {
    a.push('-blockdev', JSON.stringify(volumeBlockdev(v)))
    a.push('-device', deviceOpts(volumeDevice(v)))
  }

  hw.nics.forEach((nic, i) => {
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(nic.mac)) throw new DriverError(`NIC ${i} has an invalid MAC address '${nic.mac}'.`)
    const netdev =
      nic.backend.type === 'user'
        ? opts('user', { id: `net${i}` })
        : opts('stream', { id: `net${i}`, server: nic.backend.server, 'addr.type': 'unix', 'addr.path': nic.backend.socketPath })
    a.push('-netdev', netdev)
    // romfile= : no iPXE option ROM (nothing boots from the network; saves start time and memory).
    a.push('-device', opts(nicModel, { id: `nic${i}`, netdev: `net${i}`, mac: nic.mac.toLowerCase(), romfile: '' }))
  })

  if (props.hw_rng_model === 'virtio') {
    a.push('-object', 'rng-random,id=rng0,filename=/dev/urandom', '-device', 'virtio-rng-pci,rng=rng0')
  }

  a.push('-chardev', opts('socket', { id: 'serial0', path: files.consoleSocket, server: true, wait: false, logfile: files.consoleLog, logappend: true }))
  a.push('-serial', 'chardev:serial0')
  a.push('-chardev', opts('socket', { id: 'qmp', path: files.qmpSocket, server: true, wait: false }))
  a.push('-mon', 'chardev=qmp,mode=control')
  a.push('-pidfile', files.pidFile)
  a.push('-name', opts(optValue(hw.id), { process: processNameOf(hw.id) }))
  if (start.paused) a.push('-S')
  return a
}
