import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { HostResources } from './host-capacity'
import type { Flavor } from './models'
import { HOST_RESERVED_MB, QEMU_OVERHEAD_MB, unfitReasons } from './scheduler'

const host: HostResources = { hostname: 'h', cores: 2, memoryMb: 8192, availableMemoryMb: 6000, diskGb: 100, freeDiskGb: 50, architecture: 'x86_64', cpuModel: 'x' }
const flavor = (ram: number, vcpus = 1, disk = 1): Flavor => ({ id: 'f', name: 'f', ram, vcpus, disk, ephemeral: 0, swap: 0, rxtx_factor: 1, is_public: true, description: null, extra_specs: {} })
const none = { vcpus: 0, ram: 0, disk: 0 }
const image = { minRamMb: 0, minDiskGb: 0 }

describe('scheduler filters', () => {
  it('fits a small guest on an empty host', () => {
    assert.deepEqual(unfitReasons(host, none, flavor(512), image), [])
  })
  it('refuses RAM beyond the host (allocation ratio 1.0, host reserve kept)', () => {
    assert.match(unfitReasons(host, { ...none, ram: 7000 }, flavor(1024), image).join(), /RAM/)
  })
  it('counts vCPUs with the 4.0 ratio', () => {
    assert.deepEqual(unfitReasons(host, { ...none, vcpus: 7 }, flavor(128, 1), image), [])
    assert.match(unfitReasons(host, { ...none, vcpus: 8 }, flavor(128, 1), image).join(), /vCPUs/)
  })
  it('guards the host against swapping, counting QEMU overhead for each guest', () => {
    const fits = 6000 - HOST_RESERVED_MB - QEMU_OVERHEAD_MB
    assert.deepEqual(unfitReasons(host, none, flavor(fits), image), [])
    assert.match(unfitReasons(host, none, flavor(fits + 1), image).join(), /host memory/)
    assert.match(unfitReasons(host, none, flavor(1024), image, 5).join(), /host memory/)
  })
  it('honours the RAM and disk caps from Settings across everything placed', () => {
    assert.deepEqual(unfitReasons(host, { ...none, ram: 256 }, flavor(256), image, 1, { ramMb: 512 }), [])
    assert.match(unfitReasons(host, { ...none, ram: 384 }, flavor(256), image, 1, { ramMb: 512 }).join(), /RAM cap: 256 MB requested, 128 MB left of the 512 MB/)
    assert.match(unfitReasons(host, { ...none, disk: 10 }, flavor(128, 1, 5), image, 1, { diskGb: 12 }).join(), /disk cap: 5 GB requested, 2 GB left/)
  })
  it('refuses disk beyond the free space and a foreign architecture', () => {
    assert.match(unfitReasons(host, none, flavor(128, 1, 60), image).join(), /disk/)
    assert.match(unfitReasons(host, none, flavor(128), { ...image, architecture: 'aarch64' }).join(), /architecture/)
  })
})
