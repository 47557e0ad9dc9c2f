import type { AbsoluteLimits, Flavor, Hypervisor } from '../../../lib/openstack/compute'

/**
 * Whether a flavor can launch `count` instances of an image: against the image's minimums (Nova refuses with
 * 400), the project's quota (403) and, when the hypervisor is known (admins), the host's free capacity (the
 * scheduler's filters: the instance would end in ERROR "No valid host was found"). Pure: no DOM, no I/O.
 */

/** What the scheduler keeps for the host itself and what a QEMU process costs beyond its guest's RAM (MB). */
export const HOST_RESERVED_MB = 512
export const QEMU_OVERHEAD_MB = 256
const DEFAULT_RATIOS = { cpu: 4, ram: 1, disk: 1 }
const GiB = 1024 ** 3

export interface ImageNeeds {
  min_ram?: number | null
  min_disk?: number | null
  /** Bytes the guest sees; the root disk must hold them. */
  virtual_size?: number | null
}

export type FitKind = 'image' | 'quota' | 'host'

export interface FitProblem {
  kind: FitKind
  resource: 'ram' | 'disk' | 'vcpus' | 'instances' | 'cores' | 'host'
  message: string
}

/** One bar: what is used, what this launch adds, and the limit (undefined: unlimited). */
export interface Gauge {
  label: string
  used: number
  requested: number
  limit?: number
  unit: string
}

export interface FlavorFit {
  ok: boolean
  problems: FitProblem[]
  quota?: Gauge[]
  host?: Gauge[]
}

export const ephemeralOf = (f: Pick<Flavor, 'OS-FLV-EXT-DATA:ephemeral'>): number => f['OS-FLV-EXT-DATA:ephemeral'] ?? 0

/** The disk an image needs, in whole GB: the larger of min_disk and its virtual size. */
export function imageDiskGb(image: ImageNeeds | undefined): number {
  if (!image) return 0
  return Math.max(image.min_disk ?? 0, Math.ceil((image.virtual_size ?? 0) / GiB))
}

/** Nova's checks of a flavor against an image (API 400 "Flavor's memory/disk is too small for requested image"). */
export function imageProblems(flavor: Pick<Flavor, 'ram' | 'disk'>, image: ImageNeeds | undefined): FitProblem[] {
  if (!image) return []
  const out: FitProblem[] = []
  const minRam = image.min_ram ?? 0
  if (flavor.ram < minRam) out.push({ kind: 'image', resource: 'ram', message: `The image needs ${minRam} MB of RAM; this flavor has ${flavor.ram} MB.` })
  const needGb = imageDiskGb(image)
  // A flavor with disk 0 gives the root disk the image's own size.
  if (flavor.disk > 0 && flavor.disk < needGb) out.push({ kind: 'image', resource: 'disk', message: `The image needs a ${needGb} GB disk; this flavor has ${flavor.disk} GB.` })
  return out
}

const unlimited = (n: number | undefined) => n === undefined || n < 0

/** Quota gauges and problems from GET /limits for `count` instances of the flavor. */
export function quotaFit(flavor: Pick<Flavor, 'vcpus' | 'ram'>, count: number, limits: AbsoluteLimits): { gauges: Gauge[]; problems: FitProblem[] } {
  const rows: { label: string; resource: 'instances' | 'cores' | 'ram'; used: number; requested: number; limit: number; unit: string; noun: string }[] = [
    { label: 'Instances', resource: 'instances', used: limits.totalInstancesUsed, requested: count, limit: limits.maxTotalInstances, unit: '', noun: 'instances' },
    { label: 'vCPUs', resource: 'cores', used: limits.totalCoresUsed, requested: flavor.vcpus * count, limit: limits.maxTotalCores, unit: '', noun: 'vCPUs' },
    { label: 'RAM', resource: 'ram', used: limits.totalRAMUsed, requested: flavor.ram * count, limit: limits.maxTotalRAMSize, unit: 'MB', noun: 'MB of RAM' },
  ]
  const gauges: Gauge[] = rows.map((r) => ({ label: r.label, used: r.used, requested: r.requested, limit: unlimited(r.limit) ? undefined : r.limit, unit: r.unit }))
  const problems: FitProblem[] = rows
    .filter((r) => !unlimited(r.limit) && r.used + r.requested > r.limit)
    .map((r) => ({
      kind: 'quota' as const,
      resource: r.resource,
      message: `Over the project's quota: ${r.requested} ${r.noun} requested, ${Math.max(0, r.limit - r.used)} of ${r.limit} left.`,
    }))
  return { gauges, problems }
}

/** The scheduler's filters on the one host (GET /os-hypervisors/detail), for `count` instances of the flavor. */
export function hostFit(flavor: Pick<Flavor, 'vcpus' | 'ram' | 'disk' | 'OS-FLV-EXT-DATA:ephemeral'>, count: number, h: Hypervisor): { gauges: Gauge[]; problems: FitProblem[] } {
  const ratios = h['stackling:allocation_ratios'] ?? DEFAULT_RATIOS
  const need = { vcpus: flavor.vcpus * count, ram: flavor.ram * count, disk: (flavor.disk + ephemeralOf(flavor)) * count }
  const cpuCap = Math.floor(h.vcpus * ratios.cpu)
  const ramCap = Math.floor(h.memory_mb * ratios.ram) - HOST_RESERVED_MB
  const diskFree = Math.floor(h.free_disk_gb * ratios.disk)
  const gauges: Gauge[] = [
    { label: 'vCPUs', used: h.vcpus_used, requested: need.vcpus, limit: cpuCap, unit: '' },
    { label: 'RAM', used: h.memory_mb_used, requested: need.ram, limit: Math.max(0, ramCap), unit: 'MB' },
    { label: 'Disk', used: h.local_gb - h.free_disk_gb, requested: need.disk, limit: h.local_gb, unit: 'GB' },
  ]
  const problems: FitProblem[] = []
  if (h.state !== 'up') {
    const note = h['stackling:accelerator_note']
    problems.push({ kind: 'host', resource: 'host', message: `The hypervisor is down${note ? `: ${note.split('\n')[0]}` : ''}. No instance can start until it is up.` })
  }
  if (h.vcpus_used + need.vcpus > cpuCap) {
    problems.push({ kind: 'host', resource: 'vcpus', message: `The host has ${Math.max(0, cpuCap - h.vcpus_used)} vCPUs free (${h.vcpus} cores × ${ratios.cpu}); ${need.vcpus} requested.` })
  }
  if (h.memory_mb_used + need.ram > ramCap) {
    problems.push({ kind: 'host', resource: 'ram', message: `The host has ${Math.max(0, ramCap - h.memory_mb_used)} MB of RAM free for instances; ${need.ram} MB requested.` })
  }
  if (need.disk > diskFree) problems.push({ kind: 'host', resource: 'disk', message: `The data folder's disk has ${h.free_disk_gb} GB free; ${need.disk} GB requested.` })
  const available = h['stackling:available_memory_mb']
  const guard = need.ram + QEMU_OVERHEAD_MB * count
  if (available !== undefined && guard > available - HOST_RESERVED_MB && !problems.some((p) => p.resource === 'ram')) {
    problems.push({
      kind: 'host',
      resource: 'ram',
      message: `Starting it needs about ${guard} MB, but the host has only ${Math.max(0, available - HOST_RESERVED_MB)} MB available without swapping. Close other programs or pick a smaller flavor.`,
    })
  }
  return { gauges, problems }
}

/** Everything the launch wizard shows about a flavor. */
export function flavorFit(
  flavor: Pick<Flavor, 'vcpus' | 'ram' | 'disk' | 'OS-FLV-EXT-DATA:ephemeral'>,
  opts: { count?: number; image?: ImageNeeds; limits?: AbsoluteLimits; hypervisor?: Hypervisor },
): FlavorFit {
  const count = Math.max(1, opts.count ?? 1)
  const problems = imageProblems(flavor, opts.image)
  const q = opts.limits ? quotaFit(flavor, count, opts.limits) : undefined
  const h = opts.hypervisor ? hostFit(flavor, count, opts.hypervisor) : undefined
  problems.push(...(q?.problems ?? []), ...(h?.problems ?? []))
  return { ok: problems.length === 0, problems, quota: q?.gauges, host: h?.gauges }
}

/** How many instances of the flavor the quota still allows (Infinity when nothing limits it). */
export function maxCount(flavor: Pick<Flavor, 'vcpus' | 'ram'> | undefined, limits: AbsoluteLimits | undefined): number {
  if (!limits) return Infinity
  const left = (limit: number, used: number, each: number) => (unlimited(limit) || each <= 0 ? Infinity : Math.floor(Math.max(0, limit - used) / each))
  return Math.min(
    left(limits.maxTotalInstances, limits.totalInstancesUsed, 1),
    flavor ? left(limits.maxTotalCores, limits.totalCoresUsed, flavor.vcpus) : Infinity,
    flavor ? left(limits.maxTotalRAMSize, limits.totalRAMUsed, flavor.ram) : Infinity,
  )
}

/** "512 MB", "2 GB" for flavor RAM (Nova counts MB). */
export function formatRamMb(mb: number): string {
  if (mb >= 1024 && mb % 1024 === 0) return `${mb / 1024} GB`
  if (mb >= 1024) return `${(mb / 1024).toFixed(1)} GB`
  return `${mb} MB`
}
