import { neutronFault } from '../../platform/http/faults'
import { Router } from '../../platform/http/router'
import { noopNetworkDriver, type NetworkDriver } from '../../drivers/network/network-driver'
import { createNetworkDriver } from '../../drivers/network/registry'
import type { NetworkClient } from '../clients'
import type { Service, ServiceDeps } from '../service'
import { registerDiscoveryRoutes } from './api/discovery.routes'
import { registerPortForwardingRoutes } from './api/port-forwardings.routes'
import { registerQuotaRoutes } from './api/quotas.routes'
import { registerResourceRoutes } from './api/resources.routes'
import { registerRouterInterfaceRoutes } from './api/routers.routes'
import { NETWORK_MIGRATIONS } from './migrations'
import { createNetworkClient } from './network-client'
import { NetworkManager, type NetworkManagerOptions } from './network-manager'
import { NetworkRepository } from './network-repository'
import { NETWORK_POLICIES } from './policies'

export interface NetworkService extends Service {
  readonly manager: NetworkManager
  readonly client: NetworkClient
}

/**
 * Network (Neutron v2.0) at /networking: networks, subnets with IPAM, ports, security groups, routers, floating
 * IPs with port forwardings, quotas. The data plane is the NetworkDriver the config names (unless a test passes
 * one): it gets the whole desired Topology at start and after every commit.
 */
export async function createNetworkService(deps: ServiceDeps, driver?: NetworkDriver, opts: NetworkManagerOptions = {}): Promise<NetworkService> {
  const repo = new NetworkRepository(deps.db)
  const manager = new NetworkManager(repo, driver ?? (await loadDriver(deps)), deps.log, opts)
  const router = new Router()
  registerDiscoveryRoutes(router)
  registerRouterInterfaceRoutes(router, manager)
  registerQuotaRoutes(router, manager)
  registerPortForwardingRoutes(router, manager)
  registerResourceRoutes(router, manager, deps.policy)
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
    client: createNetworkClient(manager),
    async start() {
      const admin = await deps.clients.identity.projectIdByName('admin')
      const demo = await deps.clients.identity.projectIdByName('demo')
      await manager.seed(admin, demo)
      await manager.start()
    },
    stop: () => manager.stop(),
  }
}

/** The configured driver; one whose code cannot load leaves the cloud API-only (logged) rather than not starting. */
async function loadDriver(deps: ServiceDeps): Promise<NetworkDriver> {
  try {
    return await createNetworkDriver(deps.config.networkDriver, { dataDir: deps.paths.root, log: deps.log })
  } catch (err) {
    deps.log.error('network driver could not be loaded; networks work as an API only', {
      driver: deps.config.networkDriver,
      error: err instanceof Error ? err.message : String(err),
    })
    return noopNetworkDriver()
  }
}
