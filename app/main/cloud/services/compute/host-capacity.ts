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

export async function readHostResources(dataDir: string): Promise<HostResources> {
  const [cpu, mem, fs] = await Promise.all([si.cpu(), si.mem(), si.fsSize()])
  // The filesystem that holds the data dir: the longest mount point that prefixes it.
  const mount = fs
    .filter((f) => dataDir === f.mount || dataDir.startsWith(f.mount.endsWith('/') ? f.mount : f.mount + '/'))
    .sort((a, b) => b.mount.length - a.mount.length)[0]
  const MiB = 1024 * 1024
  const GiB = 1024 * MiB
  return {
    hostname: os.hostname(),
    cores: cpu.cores || os.cpus().length,
    memoryMb: Math.floor(mem.total / MiB),
    availableMemoryMb: Math.floor(mem.available / MiB),
    diskGb: mount ? Math.floor(mount.size / GiB) : 0,
    freeDiskGb: mount ? Math.floor(mount.available / GiB) : 0,
    architecture: os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? 'aarch64' : os.arch(),
    cpuModel: `${cpu.manufacturer} ${cpu.brand}`.trim(),
  }
}
