import { glanceFault } from '../../platform/http/faults'
import { Router } from '../../platform/http/router'
import type { Service, ServiceDeps } from '../service'
import { registerDiscoveryRoutes } from './api/discovery.routes'
import { registerImageRoutes } from './api/images.routes'
import { registerMemberRoutes } from './api/members.routes'
import { ImageManager } from './image-manager'
import { ImageRepository } from './image-repository'
import { FilesystemStore } from './image-store'
import { IMAGE_MIGRATIONS } from './migrations'
import { IMAGE_POLICIES } from './policies'

/** What the image service offers the others (compute builds instances on images; volumes are created from them). */
export interface ImageClient {
  /** Keeps an image's file alive while an instance or volume is built on it, even if the image is deleted. */
  hold(imageId: string, holder: string): Promise<void>
  release(imageId: string, holder: string): Promise<void>
}

/** Image (Glance v2) at /image: images, data up- and download, import, sharing, the built-in guest image. */
export async function createImageService(deps: ServiceDeps): Promise<Service & { client: ImageClient }> {
  const repo = new ImageRepository(deps.db)
  const store = new FilesystemStore(deps.paths.root)
  const manager = new ImageManager(repo, store, deps.config, deps.log)
  const router = new Router()
  registerDiscoveryRoutes(router, repo, deps.config)
  registerImageRoutes(router, manager, repo)
  registerMemberRoutes(router, manager, repo)
  return {
    type: 'image',
    prefix: '/image',
    catalog: [{ type: 'image', name: 'glance', path: '/image' }],
    router,
    policies: IMAGE_POLICIES,
    migrations: IMAGE_MIGRATIONS,
    maxBodyBytes: 1024 * 1024,
    renderFault: (err) => glanceFault(err),
    client: {
      hold: (id, holder) => manager.hold(id, holder),
      release: (id, holder) => manager.release(id, holder),
    },
    async start() {
      await store.init()
      await manager.reconcile()
      const adminProject = await deps.clients.identity.projectIdByName('admin')
      await manager.registerGuestImage(adminProject, deps.config.guestImageDir).catch((err: Error) =>
        deps.log.error('could not register the built guest image', { error: err.message }),
      )
    },
    stop: () => manager.stop(),
  }
}
