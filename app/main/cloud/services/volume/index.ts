import { novaFault } from '../../platform/http/faults'
import { negotiateMicroversion } from '../../platform/http/microversion'
import { Router } from '../../platform/http/router'
import { createVolumeDriver } from '../../drivers/volume/registry'
import type { VolumeClient } from '../clients'
import type { Service, ServiceDeps } from '../service'
import { registerAttachmentRoutes } from './api/attachments.routes'
import { registerBackupRoutes } from './api/backups.routes'
import { BackupManager } from './backup-manager'
import type { VolumeApi } from './api/context'
import { MAX_VERSION, MIN_VERSION, registerDiscoveryRoutes, registerMiscRoutes, registerNotImplemented } from './api/misc.routes'
import { registerQuotaRoutes } from './api/quotas.routes'
import { registerSnapshotRoutes } from './api/snapshots.routes'
import { registerTypeRoutes } from './api/types.routes'
import { registerVolumeRoutes } from './api/volumes.routes'
import { VOLUME_MIGRATIONS } from './migrations'
import { DEFAULT_TYPE_ID, DEFAULT_TYPE_NAME } from './models'
import { VOLUME_POLICIES } from './policies'
import { createVolumeClient } from './volume-client'
import { VolumeManager } from './volume-manager'
import { now, VolumeRepository } from './volume-repository'

export interface VolumeService extends Service {
  readonly manager: VolumeManager
  readonly client: VolumeClient
}

/**
 * Block storage (Cinder v3) at /volume: volumes, snapshots, types, attachments, quotas and limits on a volume
 * driver (qemu-img files by default, VHDX with Hyper-V), backups in the object store.
 */
export async function createVolumeService(deps: ServiceDeps): Promise<VolumeService> {
  const repo = new VolumeRepository(deps.db)
  const driver = createVolumeDriver(deps.config.hypervisor === 'hyperv' ? 'vhdx' : 'file', { dataDir: deps.paths.root })
  const clients = deps.clients
  const images = () => clients.image
  // Compute's client may be missing (a compute without volume support): callers check.
  const compute = () => clients.compute as ServiceDeps['clients']['compute'] | undefined
  const log = deps.log.child({ component: 'volume' })
  const manager = new VolumeManager(repo, driver, images, compute, log, { freeSpaceMarginBytes: deps.config.volumeFreeSpaceMarginBytes })
  const api: VolumeApi = { manager, policy: deps.policy, compute }
  // The object store's client may be missing (a release without it): backups then answer 501 and say why.
  const backups = new BackupManager(manager, () => clients.objectStore as ServiceDeps['clients']['objectStore'] | undefined, log)
  const router = new Router()
  registerDiscoveryRoutes(router)
  registerVolumeRoutes(router, api)
  registerSnapshotRoutes(router, api)
  registerTypeRoutes(router, api)
  registerAttachmentRoutes(router, api)
  registerBackupRoutes(router, api, backups)
  registerQuotaRoutes(router, api)
  registerMiscRoutes(router, api)
  registerNotImplemented(router)

  return {
    type: 'volume',
    prefix: '/volume',
    catalog: [
      { type: 'volumev3', name: 'cinderv3', path: '/volume/v3/{project_id}' },
      { type: 'block-storage', name: 'cinder', path: '/volume/v3/{project_id}' },
    ],
    router,
    policies: VOLUME_POLICIES,
    migrations: VOLUME_MIGRATIONS,
    maxBodyBytes: 1024 * 1024,
    manager,
    client: createVolumeClient(manager),
    urlProjectParam: 'project_id',
    preflight: (raw) => {
      const { version, headers } = negotiateMicroversion(raw, { service: 'volume', min: MIN_VERSION, max: MAX_VERSION })
      return { headers, microversion: version }
    },
    renderFault: (err) => novaFault(err, 'cinderFault'),
    async start() {
      if (!(await repo.type(DEFAULT_TYPE_ID))) {
        await repo.db.transaction((tx) =>
          repo.insertType(tx, { id: DEFAULT_TYPE_ID, name: DEFAULT_TYPE_NAME, description: 'Default Volume Type', is_public: true, extra_specs: {}, created_at: now() }),
        )
      }
      await manager.reconcile()
      await backups.reconcile()
    },
    async stop() {
      await manager.stop()
    },
  }
}
