/**
 * The contract every volume backend follows (the default qemu-img file driver, the Hyper-V VHDX driver). The
 * volume service owns the records, quotas and states; a driver owns only bytes on the host. File paths stay
 * inside the driver and the internal VolumeClient: they never reach the REST API.
 *
 * Every method that creates a disk builds it in a temp file in the same folder, flushes it (fsync) and renames it
 * into place, then flushes the folder: after a crash a disk either exists whole under its final name or not at
 * all, and the temp files that remain are removed by `removeTemps` at start.
 */

export type DiskFormat = 'qcow2' | 'raw' | 'vhdx'

/** A disk the driver holds: a volume or a snapshot, in one format. */
export interface DiskRef {
  kind: 'volume' | 'snapshot'
  id: string
  format: DiskFormat
}

/** A file to copy from (an image's data, another volume, a snapshot), in a format qemu-img reads. */
export interface SourceFile {
  path: string
  /** qemu's format name (qcow2, raw, vmdk, vpc, vhdx, vdi …). */
  format: string
  /** The file may be open in a running guest (an in-use volume): read it without taking the lock. */
  inUse?: boolean
}

export interface DiskInfo {
  virtualSize: number
  /** Bytes the file takes on the host. */
  actualSize: number
}

export class VolumeDriverError extends Error {}

export interface VolumeDriver {
  readonly name: string
  /** The formats it can create; the volume type picks one (default: the first). */
  readonly formats: readonly DiskFormat[]
  /** Called first at start: creates the folder. */
  initHost(): Promise<void>
  /** Absolute path of a disk (for the hypervisor, through VolumeClient only). */
  path(ref: DiskRef): string
  /** A blank (thin) disk of `sizeBytes`. On failure nothing is left behind. */
  createBlank(ref: DiskRef, sizeBytes: number): Promise<void>
  /**
   * A new independent disk with the content of `source`, grown to `sizeBytes` when that is larger than the source.
   * Used for create from an image, from a snapshot, from another volume, and for snapshots themselves (full copies:
   * a snapshot survives writes to its volume, and a volume made from it shares no file with it). On failure nothing
   * is left behind.
   */
  createFromFile(ref: DiskRef, source: SourceFile, sizeBytes: number): Promise<void>
  /** Grows a disk that no guest holds open to `sizeBytes` (never shrinks). */
  extend(ref: DiskRef, sizeBytes: number): Promise<void>
  /** Idempotent: a missing disk is not an error. */
  delete(ref: DiskRef): Promise<void>
  /** Size of a disk, or undefined when its file does not exist. */
  info(ref: DiskRef): Promise<DiskInfo | undefined>
  /** Every disk file present (for reconcile: files no record owns are removed). */
  list(): Promise<DiskRef[]>
  /** A fresh temp path in the disks' folder (for staging a download): removeTemps removes it if a crash leaves it. */
  tempPath(hint: string): string
  /** Removes temp files an interrupted create left; returns how many. */
  removeTemps(): Promise<number>
  /** Bytes free on the filesystem that holds the disks. */
  freeBytes(): Promise<number>
}

/** Glance disk_format → qemu's format name. */
export function qemuFormatOf(diskFormat: string | null | undefined): string {
  switch (diskFormat) {
    case 'vhd':
      return 'vpc'
    case 'iso':
    case 'ami':
    case 'ari':
    case 'aki':
    case null:
    case undefined:
      return 'raw'
    case 'ploop':
      return 'parallels'
    default:
      return diskFormat
  }
}

const EXT: Record<DiskFormat, string> = { qcow2: 'qcow2', raw: 'img', vhdx: 'vhdx' }
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/

/** `volume-<id>.qcow2`, `snapshot-<id>.img`, … Ids name files: letters, digits, '-' and '_' only. */
export function diskFileName(ref: DiskRef): string {
  if (!ID.test(ref.id)) throw new VolumeDriverError(`${JSON.stringify(ref.id)} cannot name a disk file.`)
  return `${ref.kind}-${ref.id}.${EXT[ref.format]}`
}

/** The reverse of diskFileName, or undefined for a file that is not one of ours. */
export function parseDiskFileName(name: string): DiskRef | undefined {
  const m = /^(volume|snapshot)-([A-Za-z0-9][A-Za-z0-9_-]{0,99})\.(qcow2|img|vhdx)$/.exec(name)
  if (!m) return undefined
  const format = (Object.entries(EXT).find(([, e]) => e === m[3])![0]) as DiskFormat
  return { kind: m[1] as 'volume' | 'snapshot', id: m[2]!, format }
}
