import { novaFault } from '../../platform/http/faults'
import type { ApiRequest } from '../../platform/http/types'
import { placeholderService } from '../placeholder'
import type { Service, ServiceDeps } from '../service'

const MIN_VERSION = '2.1'
const MAX_VERSION = '2.1'

const v21 = (req: ApiRequest) => ({
  id: 'v2.1',
  status: 'CURRENT',
  version: MAX_VERSION,
  min_version: MIN_VERSION,
  updated: '2013-07-23T11:33:21Z',
  links: [
    { rel: 'self', href: `${req.serviceUrl}/v2.1/` },
    { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
  ],
  'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
})

/** Compute (Nova v2.1) at /compute: version discovery now; servers, flavors and the rest come with the compute work. */
export async function createComputeService(_deps: ServiceDeps): Promise<Service> {
  return placeholderService({
    type: 'compute',
    prefix: '/compute',
    catalog: [{ type: 'compute', name: 'nova', path: '/compute/v2.1' }],
    renderFault: (err) => novaFault(err),
    versions: {
      '/': (req) => ({ status: 200, body: { versions: [v21(req)] } }),
      '/v2.1': (req) => ({ status: 200, body: { version: v21(req) } }),
    },
  })
}
