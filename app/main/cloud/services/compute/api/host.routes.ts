import { NotFound } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import type { ComputeManager } from '../compute-manager'
import { ALLOCATION } from '../scheduler'

export const MIN_VERSION = '2.1'
export const MAX_VERSION = '2.1'

const version = (req: ApiRequest) => ({
  id: 'v2.1',
  status: 'CURRENT',
  version: MAX_VERSION,
  min_version: MIN_VERSION,
  updated: '2013-07-23T11:33:21Z',
  links: [
    { rel: 'self', href: `${req.serviceUrl}/v2.1/` },
    { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
  ],
  'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
})

/** Version discovery, availability zones, the one hypervisor (this machine) and the compute services. */
export function registerHostRoutes(router: Router, manager: ComputeManager): void {
  router.get('/', { policy: 'public' }, (req) => json(200, { versions: [version(req)] }))
  router.get('/v2.1', { policy: 'public' }, (req) => json(200, { version: version(req) }))

  router.get('/v2.1/os-availability-zone', { policy: 'compute:availability-zone:list' }, () =>
    json(200, { availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true }, hosts: null }] }),
  )
  router.get('/v2.1/os-availability-zone/detail', { policy: 'compute:availability-zone:detail' }, async () => {
    const host = await manager.hostResources()
    const at = new Date().toISOString().replace('Z', '')
    return json(200, {
      availabilityZoneInfo: [
        { zoneName: 'internal', zoneState: { available: true }, hosts: { [host.hostname]: { 'nova-scheduler': { available: true, active: true, updated_at: at }, 'nova-conductor': { available: true, active: true, updated_at: at } } } },
        { zoneName: 'nova', zoneState: { available: true }, hosts: { [host.hostname]: { 'nova-compute': { available: true, active: true, updated_at: at } } } },
      ],
    })
  })

  const hypervisor = async (detail: boolean) => {
    await manager.ready
    const info = manager.host ?? { hypervisorType: 'QEMU', hypervisorVersion: '0', accelerator: 'none', acceleratorNote: manager.hostError }
    const host = await manager.hostResources()
    const placed = await manager.placed()
    const base = { id: 1, hypervisor_hostname: host.hostname, state: manager.hostError ? 'down' : 'up', status: 'enabled' }
    if (!detail) return base
    return {
      ...base,
      hypervisor_type: info.hypervisorType,
      hypervisor_version: versionNumber(info.hypervisorVersion),
      host_ip: '127.0.0.1',
      vcpus: host.cores,
      vcpus_used: placed.vcpus,
      memory_mb: host.memoryMb,
      memory_mb_used: placed.ram,
      free_ram_mb: host.memoryMb - placed.ram,
      local_gb: host.diskGb,
      local_gb_used: placed.disk,
      free_disk_gb: host.freeDiskGb,
      disk_available_least: host.freeDiskGb,
      running_vms: placed.count,
      current_workload: 0,
      cpu_info: JSON.stringify({ arch: host.architecture, model: host.cpuModel, vendor: host.cpuModel.split(' ')[0], topology: { cores: host.cores, threads: 1, sockets: 1 } }),
      service: { host: host.hostname, id: 1, disabled_reason: null },
      // Stackling additions, so `openstack hypervisor show` tells what the accelerator probe found.
      'stackling:accelerator': info.accelerator,
      'stackling:accelerator_note': info.acceleratorNote ?? null,
      'stackling:allocation_ratios': ALLOCATION,
      'stackling:available_memory_mb': host.availableMemoryMb,
    }
  }
  router.get('/v2.1/os-hypervisors', { policy: 'compute:hypervisors:list' }, async () => json(200, { hypervisors: [await hypervisor(false)] }))
  router.get('/v2.1/os-hypervisors/detail', { policy: 'compute:hypervisors:list-detail' }, async () => json(200, { hypervisors: [await hypervisor(true)] }))
  router.get('/v2.1/os-hypervisors/statistics', { policy: 'compute:hypervisors:statistics' }, async () => {
    const h = (await hypervisor(true)) as unknown as Record<string, number>
    const keys = ['vcpus', 'vcpus_used', 'memory_mb', 'memory_mb_used', 'free_ram_mb', 'local_gb', 'local_gb_used', 'free_disk_gb', 'disk_available_least', 'running_vms', 'current_workload']
    return json(200, { hypervisor_statistics: { count: 1, ...Object.fromEntries(keys.map((k) => [k, h[k]])) } })
  })
  router.get('/v2.1/os-hypervisors/:hypervisor_id', { policy: 'compute:hypervisors:show' }, async (req) => {
    const h = await hypervisor(true)
    if (req.params.hypervisor_id !== '1' && req.params.hypervisor_id !== h.hypervisor_hostname) throw new NotFound(`Hypervisor with ID ${req.params.hypervisor_id} could not be found.`)
    return json(200, { hypervisor: h })
  })

  router.get('/v2.1/os-services', { policy: 'compute:services:list' }, async () => {
    const host = await manager.hostResources()
    const at = new Date().toISOString().replace('Z', '').replace(/(\.\d{6})\d*$/, '$1')
    const svc = (id: number, binary: string, zone: string) => ({ id, binary, host: host.hostname, zone, status: 'enabled', state: 'up', updated_at: at, disabled_reason: null, forced_down: false })
    return json(200, { services: [svc(1, 'nova-scheduler', 'internal'), svc(2, 'nova-conductor', 'internal'), svc(3, 'nova-compute', 'nova')] })
  })
}

/** Nova's integer version: 7.2.0 → 7002000. */
function versionNumber(v: string): number {
  const [a = 0, b = 0, c = 0] = v.split('.').map((x) => parseInt(x, 10) || 0)
  return a * 1_000_000 + b * 1000 + c
}
