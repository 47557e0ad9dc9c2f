import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { AbsoluteLimits, Flavor, Hypervisor } from '../../../lib/openstack/compute'
import { flavorFit, formatRamMb, hostFit, imageDiskGb, imageProblems, maxCount, quotaFit } from './flavor-fit'

const flavor = (vcpus: number, ram: number, disk: number, ephemeral = 0): Pick<Flavor, 'vcpus' | 'ram' | 'disk' | 'OS-FLV-EXT-DATA:ephemeral'> => ({
  vcpus,
  ram,
  disk,
  'OS-FLV-EXT-DATA:ephemeral': ephemeral,
})
const limits = (over: Partial<AbsoluteLimits> = {}): AbsoluteLimits => ({
  maxTotalInstances: 10,
  totalInstancesUsed: 0,
  maxTotalCores: 20,
  totalCoresUsed: 0,
  maxTotalRAMSize: 51200,
  totalRAMUsed: 0,
  ...over,
})
const host = (over: Partial<Hypervisor> = {}): Hypervisor => ({
  id: 1,
  hypervisor_hostname: 'h',
  state: 'up',
  status: 'enabled',
  vcpus: 2,
  vcpus_used: 0,
  memory_mb: 8192,
  memory_mb_used: 0,
  local_gb: 100,
  local_gb_used: 0,
  free_disk_gb: 50,
  running_vms: 0,
  'stackling:allocation_ratios': { cpu: 4, ram: 1, disk: 1 },
  'stackling:available_memory_mb': 6000,
  ...over,
})
const GiB = 1024 ** 3

describe('flavor fit: the image', () => {
  it('needs the image minimums and its virtual size', () => {
    assert.equal(imageDiskGb({ min_disk: 2, virtual_size: 64 * 1024 * 1024 }), 2)
    assert.equal(imageDiskGb({ min_disk: 0, virtual_size: 3.5 * GiB }), 4)
    assert.deepEqual(imageProblems(flavor(1, 512, 1), { min_ram: 0, min_disk: 0, virtual_size: 64 * 1024 * 1024 }), [])
    const small = imageProblems(flavor(1, 128, 1), { min_ram: 256, min_disk: 2 })
    assert.deepEqual(
      small.map((p) => p.resource),
      ['ram', 'disk'],
    )
    assert.equal(small[0]!.message, 'The image needs 256 MB of RAM; this flavor has 128 MB.')
    assert.deepEqual(imageProblems(flavor(1, 512, 0), { min_disk: 20 }), [], 'disk 0 takes the image size')
    assert.deepEqual(imageProblems(flavor(1, 512, 1), undefined), [])
  })
})

describe('flavor fit: the quota', () => {
  it('adds the request to what is used', () => {
    const { gauges, problems } = quotaFit(flavor(2, 1024, 1), 3, limits({ totalInstancesUsed: 1, totalCoresUsed: 2, totalRAMUsed: 512 }))
    assert.deepEqual(gauges, [
      { label: 'Instances', used: 1, requested: 3, limit: 10, unit: '' },
      { label: 'vCPUs', used: 2, requested: 6, limit: 20, unit: '' },
      { label: 'RAM', used: 512, requested: 3072, limit: 51200, unit: 'MB' },
    ])
    assert.deepEqual(problems, [])
  })

  it('reports each resource over quota; -1 is unlimited', () => {
    const { gauges, problems } = quotaFit(flavor(4, 2048, 1), 2, limits({ maxTotalCores: 10, totalCoresUsed: 4, maxTotalRAMSize: -1 }))
    assert.equal(gauges[2]!.limit, undefined)
    assert.deepEqual(
      problems.map((p) => [p.resource, p.message]),
      [['cores', "Over the project's quota: 8 vCPUs requested, 6 of 10 left."]],
    )
  })

  it('computes how many more fit', () => {
    assert.equal(maxCount(flavor(2, 1024, 1), limits({ totalCoresUsed: 16 })), 2)
    assert.equal(maxCount(flavor(1, 512, 1), limits({ totalInstancesUsed: 9 })), 1)
    assert.equal(maxCount(undefined, limits({ totalInstancesUsed: 10 })), 0)
    assert.equal(maxCount(flavor(1, 1, 1), undefined), Infinity)
    assert.equal(maxCount(flavor(1, 1, 1), limits({ maxTotalInstances: -1, maxTotalCores: -1, maxTotalRAMSize: -1 })), Infinity)
  })
})

describe('flavor fit: the host (admins)', () => {
  it('applies the allocation ratios and the reserved memory, as the scheduler does', () => {
    const { gauges, problems } = hostFit(flavor(1, 512, 1), 1, host())
    assert.deepEqual(problems, [])
    assert.deepEqual(gauges[0], { label: 'vCPUs', used: 0, requested: 1, limit: 8, unit: '' })
    assert.deepEqual(gauges[1], { label: 'RAM', used: 0, requested: 512, limit: 7680, unit: 'MB' })
    assert.deepEqual(gauges[2], { label: 'Disk', used: 50, requested: 1, limit: 100, unit: 'GB' })
  })

  it('finds the resource the host is short of', () => {
    assert.deepEqual(
      hostFit(flavor(8, 512, 1), 2, host()).problems.map((p) => p.resource),
      ['vcpus'],
    )
    assert.deepEqual(
      hostFit(flavor(1, 1024, 60, 5), 1, host()).problems.map((p) => p.resource),
      ['disk'],
    )
    const tight = hostFit(flavor(1, 4096, 1), 1, host({ 'stackling:available_memory_mb': 4000 })).problems
    assert.equal(tight.length, 1)
    assert.match(tight[0]!.message, /needs about 4352 MB, but the host has only 3488 MB available without swapping/)
  })

  it('says when the hypervisor is down', () => {
    const p = hostFit(flavor(1, 128, 1), 1, host({ state: 'down', 'stackling:accelerator_note': 'qemu-system-x86_64 not found\nmore' })).problems
    assert.equal(p[0]!.message, 'The hypervisor is down: qemu-system-x86_64 not found. No instance can start until it is up.')
  })
})

describe('flavorFit', () => {
  it('combines image, quota and host', () => {
    const fit = flavorFit(flavor(1, 128, 1), { count: 1, image: { min_ram: 0, min_disk: 0, virtual_size: 64 << 20 }, limits: limits(), hypervisor: host() })
    assert.equal(fit.ok, true)
    assert.equal(fit.quota?.length, 3)
    assert.equal(fit.host?.length, 3)
    const member = flavorFit(flavor(1, 128, 1), { limits: limits({ totalInstancesUsed: 10 }) })
    assert.equal(member.ok, false)
    assert.equal(member.host, undefined)
    assert.equal(member.problems[0]!.kind, 'quota')
  })

  it('formats flavor RAM', () => {
    assert.equal(formatRamMb(512), '512 MB')
    assert.equal(formatRamMb(2048), '2 GB')
    assert.equal(formatRamMb(1536), '1.5 GB')
  })
})
