import { glanceFault } from '../../platform/http/faults'
import { Router } from '../../platform/http/router'
import type { Service, ServiceDeps } from '../service'
import type { ImageClient, ImageInfo } from '../clients'
import type { Image } from './models'
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { registerDiscoveryRoutes } from './api/discovery.routes'
import { registerImageRoutes } from './api/images.routes'
import { registerMemberRoutes } from './api/members.routes'
import { ImageManager } from './image-manager'
import { ImageRepository } from './image-repository'
import { FilesystemStore } from './image-store'
import { IMAGE_MIGRATIONS } from './migrations'
import { IMAGE_POLICIES } from './policies'

/** Image (Glance v2) at /image: images, data up- and download, import, sharing, the built-in guest image. */
export async function createImageService(deps: ServiceDeps): Promise<Service & { client: ImageClient }> {
  const info = (i: Image): ImageInfo => ({
    id: i.id,
    name: i.name,
    status: i.status,
    owner: i.owner,
    disk_format: i.disk_format,
    min_disk: i.min_disk,
    min_ram: i.min_ram,
    size: i.size,
    virtual_size: i.virtual_size,
    properties: i.properties,
    file: i.location && i.status === 'active' ? store.path(i.location) : null,
  })
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
      async get(ctx, id) {
        const image = await manager.get(ctx, id).catch(() => undefined)
        return image && info(image)
      },
      hold: (id, holder) => manager.hold(id, holder),
      release: (id, holder) => manager.release(id, holder),
      async createQueued(ctx, fields) {
        return info(await manager.create(ctx, { name: fields.name, disk_format: fields.disk_format, container_format: 'bare', visibility: 'private', min_disk: fields.min_disk ?? 0, min_ram: fields.min_ram ?? 0, properties: fields.properties ?? {} }))
      },
      async uploadFile(imageId, file) {
        const image = await repo.get(imageId)
        if (!image) throw new Error(`image ${imageId} is gone`)
        try {
          return info(await manager.upload(image, createReadStream(file)))
        } finally {
          await rm(file, { force: true })
        }
      },
      async createFromFile(ctx, fields, file) {
        const queued = await this.createQueued(ctx, fields)
        return this.uploadFile(queued.id, file)
      },
    } satisfies ImageClient,
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
