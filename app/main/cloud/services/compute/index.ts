import { novaFault } from '../../platform/http/faults'
import { negotiateMicroversion } from '../../platform/http/microversion'
import { Router } from '../../platform/http/router'
import { createHypervisorDriver, unavailableDriver } from '../../drivers/hypervisor/registry'
import type { ComputeClient } from '../clients'
import type { Service, ServiceDeps } from '../service'
import { registerFlavorRoutes } from './api/flavors.routes'
import { MAX_VERSION, MIN_VERSION, registerHostRoutes } from './api/host.routes'
import { registerKeypairRoutes } from './api/keypairs.routes'
import { registerQuotaRoutes } from './api/quotas.routes'
import { registerServerActionRoutes } from './api/server-actions.routes'
import { registerServerNetworkRoutes } from './api/server-network.routes'
import { registerServerRoutes } from './api/servers.routes'
import { registerVolumeAttachmentRoutes } from './api/volume-attachments.routes'
import { ComputeManager } from './compute-manager'
import { ComputeRepository } from './compute-repository'
import { createMetadataHandler } from './metadata-server'
import { COMPUTE_MIGRATIONS } from './migrations'
import { COMPUTE_POLICIES } from './policies'
import { ConsoleTokens, SerialConsoleProxy } from './serial-console'

export interface ComputeService extends Service {
  readonly manager: ComputeManager
  /** What the volume service asks compute for (clients.ts). */
  readonly client: ComputeClient
}

/**
 * Compute (Nova v2.1) at /compute: flavors, key pairs, quotas, servers on the hypervisor driver and on Neutron ports,
 * consoles, and the metadata service the network driver hands guest requests to.
 */
export async function createComputeService(deps: ServiceDeps): Promise<ComputeService> {
  const repo = new ComputeRepository(deps.db)
  const driver = await createHypervisorDriver(deps.config.hypervisor, { dataDir: deps.paths.root, log: deps.log, accelerator: deps.config.accelerator }).catch(
    (err: Error) => unavailableDriver(`the ${deps.config.hypervisor} driver could not be loaded: ${err.message}`),
  )
  const clients = deps.clients
  // The image client exists once every service is created; the manager reads it through this getter.
  const images = {
    get: (...a: Parameters<typeof clients.image.get>) => clients.image.get(...a),
    hold: (...a: Parameters<typeof clients.image.hold>) => clients.image.hold(...a),
    release: (...a: Parameters<typeof clients.image.release>) => clients.image.release(...a),
    createFromFile: (...a: Parameters<typeof clients.image.createFromFile>) => clients.image.createFromFile(...a),
    createQueued: (...a: Parameters<typeof clients.image.createQueued>) => clients.image.createQueued(...a),
    uploadFile: (...a: Parameters<typeof clients.image.uploadFile>) => clients.image.uploadFile(...a),
  }
  // Likewise the network client; the optional security group lookup is used when the network service offers it.
  const manager = new ComputeManager(repo, driver, images, () => clients.network, deps.paths.root, deps.log, () => deps.config.onQuit, () => ({
    ramMb: deps.config.vmMemoryCapMb,
    diskGb: deps.config.vmDiskCapGb,
  }), () => clients.volume)
  const tokens = new ConsoleTokens()
  const proxy = new SerialConsoleProxy(tokens, driver, deps.log)
  const router = new Router()
  registerHostRoutes(router, manager)
  registerFlavorRoutes(router, repo)
  registerKeypairRoutes(router, repo, manager)
  registerQuotaRoutes(router, repo, manager)
  registerServerRoutes(router, manager, repo, images)
  registerServerActionRoutes(router, manager, repo, images, tokens)
  registerServerNetworkRoutes(router, manager, repo)
  registerVolumeAttachmentRoutes(router, manager, repo)

  return {
    type: 'compute',
    prefix: '/compute',
    catalog: [{ type: 'compute', name: 'nova', path: '/compute/v2.1' }],
    router,
    policies: COMPUTE_POLICIES,
    migrations: COMPUTE_MIGRATIONS,
    maxBodyBytes: 1024 * 1024,
    manager,
    client: {
      volumeExtended: (serverId, volumeId, bytes) => manager.volumeExtended(serverId, volumeId, bytes),
      serverExists: async (serverId) => !!(await repo.instance(serverId)),
    },
    preflight: (raw) => {
      const { version, headers } = negotiateMicroversion(raw, { service: 'compute', min: MIN_VERSION, max: MAX_VERSION, legacyHeader: 'X-OpenStack-Nova-API-Version' })
      return { headers, microversion: version }
    },
    renderFault: (err) => novaFault(err),
    upgrade(raw, socket, head, subPath) {
      if (subPath !== '/serial-console') return false
      proxy.handleUpgrade(raw, socket, head)
      return true
    },
    async start() {
      // The network driver hands us each guest's request to 169.254.169.254 with the port it came from.
      clients.network.setMetadataHandler(createMetadataHandler((portId) => manager.metadataForPort(portId), deps.log.child({ component: 'metadata' })))
      manager.start()
    },
    async stop() {
      proxy.close()
      await manager.stop()
    },
  }
}
