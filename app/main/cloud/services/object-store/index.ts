import { swiftFault } from '../../platform/http/faults'
import { placeholderService } from '../placeholder'
import type { Service, ServiceDeps } from '../service'

/** Object store (Swift v1) at /object-store: capabilities (/info) now; accounts and objects come with the object work. */
export async function createObjectStoreService(_deps: ServiceDeps): Promise<Service> {
  return placeholderService({
    type: 'object-store',
    prefix: '/object-store',
    catalog: [{ type: 'object-store', name: 'swift', path: '/object-store/v1/AUTH_{project_id}' }],
    renderFault: (err) => swiftFault(err),
    versions: {
      '/info': () => ({ status: 200, body: { swift: { version: '2.32.0', strict_cors_mode: true }, stackling: { implemented: false } } }),
    },
  })
}
