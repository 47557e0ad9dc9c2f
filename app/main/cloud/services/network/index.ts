import { neutronFault } from '../../platform/http/faults'
import { placeholderService } from '../placeholder'
import type { Service, ServiceDeps } from '../service'

/** Network (Neutron v2.0) at /networking: version discovery now; networks and the switch come with the network work. */
export async function createNetworkService(_deps: ServiceDeps): Promise<Service> {
  return placeholderService({
    type: 'network',
    prefix: '/networking',
    catalog: [{ type: 'network', name: 'neutron', path: '/networking' }],
    renderFault: (err) => neutronFault(err),
    versions: {
      '/': (req) => ({
        status: 200,
        body: { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${req.serviceUrl}/v2.0/`, rel: 'self' }] }] },
      }),
      '/v2.0': () => ({ status: 200, body: { resources: [] } }),
    },
  })
}
