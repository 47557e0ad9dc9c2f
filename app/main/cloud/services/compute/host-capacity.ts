import { statfs } from 'node:fs/promises'
import os from 'node:os'
import si from 'systeminformation'

/** What the host has, read with systeminformation (cores, memory, free disk of the data dir's filesystem). */
export interface HostResources {
  hostname: string
  cores: number
  memoryMb: number
  /** Memory the OS can give without swapping, now. */
  availableMemoryMb: number
  diskGb: number
  freeDiskGb: number
  architecture: string
  cpuModel: string
}

let fixed: Promise<{ cores: number; cpuModel: string }> | undefined

/**
 * The host's figures. Cores and CPU model never change while the process runs, so they are read once; memory and
 * the data dir's free space are read each time (they are what the scheduler's guard depends on).
 */
export async function readHostResources(dataDir: string): Promise<HostResources> {
  fixed ??= si.cpu().then((cpu) => ({ cores: cpu.cores || os.cpus().length, cpuModel: `${cpu.manufacturer} ${cpu.brand}`.trim() }))
  const [cpu, mem, fsStat] = await Promise.all([fixed, si.mem(), statfs(dataDir)])
  const MiB = 1024 * 1024
  const GiB = 1024 * MiB
  return {
    hostname: os.hostname(),
    cores: cpu.cores,
    memoryMb: Math.floor(mem.total / MiB),
    availableMemoryMb: Math.floor(mem.available / MiB),
    diskGb: Math.floor((fsStat.blocks * fsStat.bsize) / GiB),
    freeDiskGb: Math.floor((fsStat.bavail * fsStat.bsize) / GiB),
    architecture: os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? 'aarch64' : os.arch(),
    cpuModel: cpu.cpuModel,
  }
}
