import { neutronFault } from '../../platform/http/faults'
import { Router } from '../../platform/http/router'
import { noopNetworkDriver, type NetworkDriver } from '../../drivers/network/network-driver'
import type { NetworkClient } from '../clients'
import type { Service, ServiceDeps } from '../service'
import { registerDiscoveryRoutes } from './api/discovery.routes'
import { registerQuotaRoutes } from './api/quotas.routes'
import { registerResourceRoutes } from './api/resources.routes'
import { registerRouterInterfaceRoutes } from './api/routers.routes'
import { NETWORK_MIGRATIONS } from './migrations'
import { NetworkManager } from './network-manager'
import { NetworkRepository } from './network-repository'
import { NETWORK_POLICIES } from './policies'

export interface NetworkService extends Service {
  readonly manager: NetworkManager
  readonly client: NetworkClient
}

/**
 * Network (Neutron v2.0) at /networking: networks, subnets with IPAM, ports, security groups, routers, floating
 * IPs, quotas. The data plane is a NetworkDriver called after each commit (a no-op until the switch exists).
 */
export async function createNetworkService(deps: ServiceDeps, driver: NetworkDriver = noopNetworkDriver): Promise<NetworkService> {
  const repo = new NetworkRepository(deps.db)
  const manager = new NetworkManager(repo, driver, deps.log)
  const router = new Router()
  registerDiscoveryRoutes(router)
  registerRouterInterfaceRoutes(router, manager)
  registerQuotaRoutes(router, manager)
  registerResourceRoutes(router, manager, deps.policy)
  const system = { projectId: '', admin: true }
  return {
    type: 'network',
    prefix: '/networking',
    catalog: [{ type: 'network', name: 'neutron', path: '/networking' }],
    router,
    policies: NETWORK_POLICIES,
    migrations: NETWORK_MIGRATIONS,
    maxBodyBytes: 1024 * 1024,
    manager,
    renderFault: (err) => neutronFault(err),
    client: {
      async createPort(ctx, fields) {
        const a = { projectId: ctx.projectId ?? '', admin: ctx.roles.includes('admin') }
        return (await manager.createPort(a, { ...fields })) as never
      },
      async deletePort(portId) {
        const port = await repo.get('ports', portId)
        if (port) await manager.remove(system, 'ports', port)
      },
      async updatePort(portId, fields) {
        const port = await repo.get('ports', portId)
        if (!port) throw new Error(`port ${portId} is gone`)
        return (await manager.update(system, 'ports', port, fields)) as never
      },
      portsOfDevice: (deviceId) => manager.portsOfDevice(deviceId) as never,
    },
    async start() {
      const admin = await deps.clients.identity.projectIdByName('admin')
      const demo = await deps.clients.identity.projectIdByName('demo')
      await manager.seed(admin, demo)
    },
  }
}
