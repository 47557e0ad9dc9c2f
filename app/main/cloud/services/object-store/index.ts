import { swiftFault } from '../../platform/http/faults'
import { Router } from '../../platform/http/router'
import type { ApiError } from '../../platform/errors'
import type { Service, ServiceDeps } from '../service'
import type { ObjectStoreClient } from '../clients'
import { registerSwiftRoutes } from './api/swift.routes'
import { ObjectFiles } from './object-files'
import { ObjectRepository } from './object-repository'
import { ObjectStoreManager } from './object-store-manager'
import { OBJECT_STORE_MIGRATIONS } from './migrations'
import { OBJECT_STORE_POLICIES } from './policies'
import { BadRequestList } from './object-store-manager'

/** Swift's HTML faults; a bulk-delete style list of bad names is plain text. */
function renderFault(err: ApiError): { contentType: string; body: string } {
  if (err instanceof BadRequestList) return { contentType: 'text/plain; charset=UTF-8', body: err.message }
  return swiftFault(err)
}

/** Object store (Swift v1) at /object-store/v1/AUTH_{project_id}, with /info. */
export async function createObjectStoreService(deps: ServiceDeps): Promise<Service & { client: ObjectStoreClient }> {
  const repo = new ObjectRepository(deps.db)
  const files = new ObjectFiles(deps.paths.root)
  const manager = new ObjectStoreManager(repo, files, deps.log)
  const router = new Router()
  registerSwiftRoutes(router, manager, deps.policy)
  const client: ObjectStoreClient = {
    async ensureContainer(projectId, container) {
      if (!(await repo.container(projectId, container))) await manager.putContainer(projectId, container, {})
    },
    async putObject(projectId, container, name, source, opts = {}) {
      const o = await manager.putObject(projectId, container, name, source, {
        contentType: opts.contentType ?? 'application/octet-stream',
        metadata: Object.fromEntries(Object.entries(opts.metadata ?? {}).map(([k, v]) => [`x-object-meta-${k.toLowerCase()}`, v])),
        deleteAt: null,
        expectedSize: opts.size,
      })
      return { etag: o.etag, size: o.size }
    },
    async getObject(projectId, container, name) {
      const o = await manager.object(projectId, container, name).catch(() => undefined)
      if (!o) return undefined
      const content = await manager.content(o)
      return { size: content.size, etag: content.etag, contentType: o.contentType, open: () => manager.stream(content) }
    },
    async deleteObject(projectId, container, name) {
      await manager.deleteObject(projectId, container, name).catch(() => undefined)
    },
    async listObjects(projectId, container, prefix) {
      const out: { name: string; size: number; etag: string }[] = []
      let marker: string | undefined
      for (;;) {
        const page = await manager.listObjects(projectId, container, { limit: 10_000, prefix, marker })
        for (const i of page) if ('item' in i) out.push({ name: i.item.name, size: i.item.size, etag: i.item.etag })
        if (page.length < 10_000) return out
        marker = out[out.length - 1]!.name
      }
    },
  }
  return {
    type: 'object-store',
    prefix: '/object-store',
    catalog: [{ type: 'object-store', name: 'swift', path: '/object-store/v1/AUTH_{project_id}' }],
    router,
    rawPaths: true,
    policies: OBJECT_STORE_POLICIES,
    migrations: OBJECT_STORE_MIGRATIONS,
    maxBodyBytes: 1024 * 1024,
    renderFault: (err) => renderFault(err),
    client,
    async start() {
      await manager.reconcile()
      manager.startSweeper()
    },
    stop: () => manager.stop(),
  }
}
