import { glanceFault } from '../../platform/http/faults'
import type { ApiRequest } from '../../platform/http/types'
import { placeholderService } from '../placeholder'
import type { Service, ServiceDeps } from '../service'

const versions = (req: ApiRequest) => ({
  versions: [{ id: 'v2.16', status: 'CURRENT', links: [{ rel: 'self', href: `${req.serviceUrl}/v2/` }] }],
})

/** Image (Glance v2) at /image: version discovery now; images and their data come with the image work. */
export async function createImageService(_deps: ServiceDeps): Promise<Service> {
  return placeholderService({
    type: 'image',
    prefix: '/image',
    catalog: [{ type: 'image', name: 'glance', path: '/image' }],
    renderFault: (err) => glanceFault(err),
    versions: {
      '/': (req) => ({ status: 300, body: versions(req) }),
      '/versions': (req) => ({ status: 200, body: versions(req) }),
    },
  })
}
