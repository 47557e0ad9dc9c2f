/**
 * Disk formats: the ones Glance accepts, a guess from a file name or URL, and a check of the file's first bytes
 * (Glance inspects uploads and refuses data that is not the declared disk_format, so we warn before sending).
 * Pure: no DOM, no I/O.
 */

export interface DiskFormatChoice {
  value: string
  label: string
}

/** Glance's default `disk_formats`, the common ones first. */
export const DISK_FORMATS: readonly DiskFormatChoice[] = [
  { value: 'qcow2', label: 'qcow2 – QEMU copy-on-write' },
  { value: 'raw', label: 'raw – a plain disk' },
  { value: 'iso', label: 'iso – an optical disc' },
  { value: 'vmdk', label: 'vmdk – VMware' },
  { value: 'vhd', label: 'vhd – Hyper-V, Xen' },
  { value: 'vhdx', label: 'vhdx – Hyper-V' },
  { value: 'vdi', label: 'vdi – VirtualBox' },
  { value: 'ploop', label: 'ploop – Virtuozzo' },
  { value: 'aki', label: 'aki – Amazon kernel' },
  { value: 'ari', label: 'ari – Amazon ramdisk' },
  { value: 'ami', label: 'ami – Amazon machine' },
]

const BY_EXTENSION: Record<string, string> = {
  qcow2: 'qcow2',
  qcow: 'qcow2',
  // Cloud images (CirrOS, Ubuntu, Debian) ship as .img and are qcow2 inside.
  img: 'qcow2',
  raw: 'raw',
  iso: 'iso',
  vmdk: 'vmdk',
  vhd: 'vhd',
  vhdx: 'vhdx',
  vdi: 'vdi',
}

const COMPRESSED = new Set(['gz', 'xz', 'bz2', 'zst', 'zip', '7z', 'tgz', 'tar'])

/** The last path segment of a file name or URL, without query or fragment, lower-cased extension split off. */
function baseName(nameOrUrl: string): string {
  let s = nameOrUrl.trim()
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    try {
      s = decodeURIComponent(new URL(s).pathname)
    } catch {
      // Not a URL after all: use it as it is.
    }
  }
  s = s.split(/[?#]/)[0]!
  return s.split(/[\\/]/).filter(Boolean).pop() ?? ''
}

function extension(nameOrUrl: string): string {
  const base = baseName(nameOrUrl)
  const i = base.lastIndexOf('.')
  return i > 0 ? base.slice(i + 1).toLowerCase() : ''
}

/** qcow2 for .qcow2 and .img, raw for .raw, iso, vmdk, vhd, vhdx, vdi; undefined when the name says nothing. */
export function guessDiskFormat(nameOrUrl: string): string | undefined {
  return BY_EXTENSION[extension(nameOrUrl)]
}

/** The compression suffix (gz, xz, …) when the file is an archive Glance would store as it is. */
export function compressedExtension(nameOrUrl: string): string | undefined {
  const ext = extension(nameOrUrl)
  return COMPRESSED.has(ext) ? ext : undefined
}

/** An image name from a file name or URL: "cirros-0.6.2-x86_64-disk.img" → "cirros-0.6.2-x86_64-disk". */
export function imageNameFrom(nameOrUrl: string): string {
  const base = baseName(nameOrUrl)
  const i = base.lastIndexOf('.')
  const ext = i > 0 ? base.slice(i + 1).toLowerCase() : ''
  return (BY_EXTENSION[ext] ? base.slice(0, i) : base).trim()
}

/** How many bytes from the start sniffDiskFormat() wants (an ISO's volume descriptor sits at 32 KiB). */
export const SNIFF_HEAD_BYTES = 64 * 1024
/** A fixed VHD has its footer in the last 512 bytes only. */
export const SNIFF_TAIL_BYTES = 512

const ascii = (bytes: Uint8Array, at: number, text: string) => {
  if (bytes.length < at + text.length) return false
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false
  return true
}

/**
 * The disk format the file's own header announces, as qemu-img and Glance's format inspector read it; undefined
 * when no known header is there (a raw disk, or data that is no disk image at all).
 */
export function sniffDiskFormat(head: Uint8Array, tail?: Uint8Array): string | undefined {
  if (head.length >= 4 && head[0] === 0x51 && head[1] === 0x46 && head[2] === 0x49 && head[3] === 0xfb) return 'qcow2'
  if (ascii(head, 0, 'vhdxfile')) return 'vhdx'
  if (ascii(head, 0, 'KDMV') || ascii(head, 0, '# Disk DescriptorFile')) return 'vmdk'
  // VirtualBox: a text banner, then the signature 0xbeda107f (little endian) at offset 64.
  if (head.length >= 68 && head[64] === 0x7f && head[65] === 0x10 && head[66] === 0xda && head[67] === 0xbe) return 'vdi'
  // Dynamic VHDs carry a copy of the footer at the start; fixed ones only at the end.
  if (ascii(head, 0, 'conectix') || (tail && ascii(tail, Math.max(0, tail.length - 512), 'conectix'))) return 'vhd'
  if (ascii(head, 0x8001, 'CD001')) return 'iso'
  return undefined
}

/** Formats whose header sniffDiskFormat() recognises, so that a missing header means "not this format". */
const SNIFFABLE = new Set(['qcow2', 'vhdx', 'vmdk', 'vdi', 'vhd', 'iso'])

/**
 * A warning when the declared format and the file's header disagree (Glance would answer 400 "The image data
 * does not match the declared disk_format"), undefined when they agree or we cannot tell.
 */
export function formatMismatch(declared: string, sniffed: string | undefined): string | undefined {
  if (!declared || declared === sniffed) return undefined
  if (sniffed) {
    return `This file is a ${sniffed} image, not ${declared}: choose ${sniffed} as its disk format, or Glance will refuse the upload.`
  }
  if (SNIFFABLE.has(declared) && declared !== 'iso') {
    return `This file does not start like a ${declared} image. If it is a plain disk, choose raw; otherwise check it with qemu-img info.`
  }
  if (declared === 'iso') return 'This file has no ISO 9660 volume descriptor. If it is a plain disk, choose raw; otherwise check it with qemu-img info.'
  return undefined
}
