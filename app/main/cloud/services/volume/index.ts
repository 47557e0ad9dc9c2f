import { novaFault } from '../../platform/http/faults'
import type { ApiRequest } from '../../platform/http/types'
import { placeholderService } from '../placeholder'
import type { Service, ServiceDeps } from '../service'

const v3 = (req: ApiRequest) => ({
  id: 'v3.0',
  status: 'CURRENT',
  version: '3.0',
  min_version: '3.0',
  updated: '2023-08-31T00:00:00Z',
  links: [
    { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
    { rel: 'self', href: `${req.serviceUrl}/v3/` },
  ],
  'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
})

/** Block storage (Cinder v3) at /volume: version discovery now; volumes come with the volume work. */
export async function createVolumeService(_deps: ServiceDeps): Promise<Service> {
  return placeholderService({
    type: 'volume',
    prefix: '/volume',
    catalog: [
      { type: 'volumev3', name: 'cinderv3', path: '/volume/v3/{project_id}' },
      { type: 'block-storage', name: 'cinder', path: '/volume/v3/{project_id}' },
    ],
    renderFault: (err) => novaFault(err, 'cinderFault'),
    versions: {
      '/': (req) => ({ status: 300, body: { versions: [v3(req)] } }),
      '/v3': (req) => ({ status: 200, body: { versions: [v3(req)] } }),
    },
  })
}
