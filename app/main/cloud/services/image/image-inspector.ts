import { open } from 'node:fs/promises'
import { run } from '../../platform/process/run'

/** What `qemu-img info` found in an image file. */
export interface InspectedImage {
  /** qemu's name for the format: qcow2, raw, vmdk, vpc (VHD), vhdx, vdi, parallels … */
  format: string
  virtualSize: number
  isIso: boolean
  /** Why the file is unsafe to hand to a hypervisor, if it is. */
  unsafe?: string
}

/** Glance disk_format → the formats qemu-img may report for it. */
const EXPECTED: Record<string, string[]> = {
  qcow2: ['qcow2'],
  raw: ['raw'],
  iso: ['raw'],
  vmdk: ['vmdk'],
  vhd: ['vpc'],
  vhdx: ['vhdx'],
  vdi: ['vdi'],
  ploop: ['parallels'],
  ami: ['raw'],
  ari: ['raw'],
  aki: ['raw'],
}

/** Inspects with `qemu-img info` (argument array, 30 s cap). It reads headers only and never follows a backing file. */
export async function inspectImage(file: string): Promise<InspectedImage> {
  const r = await run('qemu-img', ['info', '--output=json', file], { timeoutMs: 30_000 })
  if (r.code !== 0) throw new Error(`qemu-img info failed: ${r.stderr.trim()}`)
  const info = JSON.parse(r.stdout) as {
    format: string
    'virtual-size': number
    'backing-filename'?: string
    'format-specific'?: { type: string; data?: { 'data-file'?: string; extents?: { filename: string }[] } }
  }
  let unsafe: string | undefined
  if (info['backing-filename']) unsafe = `it names a backing file (${info['backing-filename']})`
  const data = info['format-specific']?.data
  if (data?.['data-file']) unsafe = `it names an external data file (${data['data-file']})`
  for (const e of data?.extents ?? []) {
    if (e.filename !== file) unsafe = `it names an extent in another file (${e.filename})`
  }
  return { format: info.format, virtualSize: info['virtual-size'], isIso: await hasIsoSignature(file), unsafe }
}

/** ISO 9660: "CD001" at byte 32769 (the first volume descriptor, sector 16). */
async function hasIsoSignature(file: string): Promise<boolean> {
  const fh = await open(file, 'r')
  try {
    const buf = Buffer.alloc(5)
    const { bytesRead } = await fh.read(buf, 0, 5, 32769)
    return bytesRead === 5 && buf.toString('latin1') === 'CD001'
  } finally {
    await fh.close()
  }
}

/** Null when the data is what `diskFormat` says; otherwise the reason, for a 400. */
export function formatMismatch(diskFormat: string, found: InspectedImage): string | null {
  const expected = EXPECTED[diskFormat]
  if (!expected) return `disk_format '${diskFormat}' cannot be checked`
  if (diskFormat === 'iso' && !found.isIso) return `the data is not an ISO 9660 image (qemu-img found ${found.format})`
  if (!expected.includes(found.format)) {
    return `the image data does not match the declared disk_format '${diskFormat}': qemu-img found '${found.format}'`
  }
  return null
}
