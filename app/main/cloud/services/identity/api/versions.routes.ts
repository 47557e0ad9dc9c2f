import type { Router } from '../../../platform/http/router'
import { json } from '../../../platform/http/types'

const V3 = (serviceUrl: string) => ({
  id: 'v3.14',
  status: 'stable',
  updated: '2020-04-07T00:00:00Z',
  links: [{ rel: 'self', href: `${serviceUrl}/v3/` }],
  'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
})

/** Version discovery: keystoneauth GETs the auth URL first and follows the `self` link it finds. */
export function registerVersionRoutes(router: Router): void {
  router.get('/', { policy: 'public' }, (req) => json(300, { versions: { values: [V3(req.serviceUrl)] } }))
  router.get('/v3', { policy: 'public' }, (req) => json(200, { version: V3(req.serviceUrl) }))
}
