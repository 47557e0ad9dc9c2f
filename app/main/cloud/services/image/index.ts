import { glanceFault } from '../../platform/http/faults'
import { Router } from '../../platform/http/router'
import type { Service, ServiceDeps } from '../service'
import type { ImageClient, ImageInfo } from '../clients'
import type { Image } from './models'
import { createReadStream } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import { registerDiscoveryRoutes } from './api/discovery.routes'
import { registerImageRoutes } from './api/images.routes'
import { registerMemberRoutes } from './api/members.routes'
import { ImageManager } from './image-manager'
import { ImageRepository } from './image-repository'
import { FilesystemStore } from './image-store'
import { ObjectStoreBackend, storeOfLocation } from './object-store-backend'
import { IMAGE_MIGRATIONS } from './migrations'
import { IMAGE_POLICIES } from './policies'

/** Image (Glance v2) at /image: images, data up- and download, import, sharing, the built-in guest image. */
export async function createImageService(deps: ServiceDeps): Promise<Service & { client: ImageClient }> {
  /**
   * What other services see. `file` is set only for an active image whose data is a file: for one in the object
   * store, that is once its cached copy exists; `ensureFile` downloads it first (get, which compute and volumes call
   * before they boot from the file), otherwise it stays null until then.
   */
  const info = async (i: Image, ensureFile: boolean): Promise<ImageInfo> => {
    let file: string | null = null
    if (i.location && i.status === 'active') {
      if (storeOfLocation(i.location) === 'file') file = store.path(i.location)
      else if (ensureFile) {
        file = (await manager.dataFile(i).catch((err: Error) => {
          deps.log.error('could not fetch the image from the object store into the cache', { image_id: i.id, error: err.message })
          return undefined
        })) ?? null
      } else {
        const cached = objects.cachePath(i.id)
        file = (await stat(cached).then((s) => s.isFile(), () => false)) ? cached : null
      }
    }
    return {
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
    file,
    }
  }
  const repo = new ImageRepository(deps.db)
  const store = new FilesystemStore(deps.paths.root)
  // The object store's client is wired after every service is created: read it when used.
  const objects = new ObjectStoreBackend(() => deps.clients.objectStore, deps.paths.root)
  const manager = new ImageManager(repo, store, deps.config, deps.log, objects)
  const router = new Router()
  registerDiscoveryRoutes(router, repo, deps.config, manager)
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
        return image && info(image, true)
      },
      hold: (id, holder) => manager.hold(id, holder),
      release: (id, holder) => manager.release(id, holder),
      async createQueued(ctx, fields) {
        return info(await manager.create(ctx, { name: fields.name, disk_format: fields.disk_format, container_format: 'bare', visibility: 'private', min_disk: fields.min_disk ?? 0, min_ram: fields.min_ram ?? 0, properties: fields.properties ?? {} }), false)
      },
      async uploadFile(imageId, file) {
        const image = await repo.get(imageId)
        if (!image) throw new Error(`image ${imageId} is gone`)
        try {
          return info(await manager.upload(image, createReadStream(file)), false)
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
