import type { HostResources } from './host-capacity'
import type { Flavor } from './models'

/** Nova's allocation ratios (initial_*_allocation_ratio defaults). */
export const ALLOCATION = { cpu: 4.0, ram: 1.0, disk: 1.0 }
/** Memory kept for the host itself, and what a TCG QEMU process costs beyond the guest's RAM (measured ~200 MB). */
export const HOST_RESERVED_MB = 512
export const QEMU_OVERHEAD_MB = 256

export interface Placement {
  vcpus: number
  ram: number
  disk: number
}

/** The user's caps on what all instances together may be given (Settings; undefined = no cap). */
export interface VmCaps {
  ramMb?: number
  diskGb?: number
}

export interface ImageRequirements {
  architecture?: string
  minRamMb: number
  minDiskGb: number
}

/**
 * The filters of Nova's default scheduler for one host: RAM, vCPU and disk against what is already placed (with
 * the allocation ratios), the image's architecture, and a host-memory guard that never starts a guest the host
 * cannot hold without swapping, and the user's caps from Settings (`caps`, over everything placed). Returns the
 * reasons a request does not fit (empty = it fits).
 */
export function unfitReasons(host: HostResources, used: Placement, flavor: Flavor, image: ImageRequirements, count = 1, caps: VmCaps = {}): string[] {
  const reasons: string[] = []
  const need = { vcpus: flavor.vcpus * count, ram: flavor.ram * count, disk: (flavor.disk + flavor.ephemeral) * count }
  if (caps.ramMb !== undefined && used.ram + need.ram > caps.ramMb) {
    reasons.push(`RAM cap: ${need.ram} MB requested, ${Math.max(0, caps.ramMb - used.ram)} MB left of the ${caps.ramMb} MB that Settings allow instances`)
  }
  if (caps.diskGb !== undefined && used.disk + need.disk > caps.diskGb) {
    reasons.push(`disk cap: ${need.disk} GB requested, ${Math.max(0, caps.diskGb - used.disk)} GB left of the ${caps.diskGb} GB that Settings allow instances`)
  }
  const ramCap = host.memoryMb * ALLOCATION.ram - HOST_RESERVED_MB
  if (used.ram + need.ram > ramCap) reasons.push(`RAM: ${need.ram} MB requested, ${Math.max(0, ramCap - used.ram)} MB free of ${host.memoryMb} MB`)
  const cpuCap = host.cores * ALLOCATION.cpu
  if (used.vcpus + need.vcpus > cpuCap) reasons.push(`vCPUs: ${need.vcpus} requested, ${Math.max(0, cpuCap - used.vcpus)} free (${host.cores} cores × ${ALLOCATION.cpu})`)
  if (need.disk > host.freeDiskGb * ALLOCATION.disk) reasons.push(`disk: ${need.disk} GB requested, ${host.freeDiskGb} GB free in the data folder`)
  if (image.architecture && image.architecture !== host.architecture) reasons.push(`architecture: the image needs ${image.architecture}, the host is ${host.architecture}`)
  const guard = need.ram + QEMU_OVERHEAD_MB * count
  if (guard > host.availableMemoryMb - HOST_RESERVED_MB) {
    reasons.push(`host memory: starting it needs about ${guard} MB but only ${Math.max(0, host.availableMemoryMb - HOST_RESERVED_MB)} MB are available without swapping`)
  }
  return reasons
}
