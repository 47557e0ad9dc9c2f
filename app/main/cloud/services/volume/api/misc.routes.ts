import { NotImplemented } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import type { VolumeApi } from './context'

export const MIN_VERSION = '3.0'
/** Up to 3.60: attachments (3.27, complete 3.44), extending attached volumes (3.42), with_count (3.45), shared_targets (3.48). */
export const MAX_VERSION = '3.60'

const P = '/v3/:project_id'

const v3 = (req: ApiRequest) => ({
  id: 'v3.0',
  status: 'CURRENT',
  version: MAX_VERSION,
  min_version: MIN_VERSION,
  updated: '2023-08-31T00:00:00Z',
  links: [
    { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
    { rel: 'self', href: `${req.serviceUrl}/v3/` },
  ],
  'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
})

/** Version discovery, the small read-only extensions clients ask for, and 501 for the rest. */
export function registerDiscoveryRoutes(router: Router): void {
  router.get('/', { policy: 'public' }, (req) => json(300, { versions: [v3(req)] }))
  router.get('/v3', { policy: 'public' }, (req) => json(200, { versions: [v3(req)] }))
}

export function registerMiscRoutes(router: Router, api: VolumeApi): void {
  router.get(`${P}/os-availability-zone`, { policy: 'volume:discovery' }, () =>
    json(200, { availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true } }] }),
  )
  router.get(`${P}/extensions`, { policy: 'volume:discovery' }, () => json(200, { extensions: [] }))
  router.get(`${P}/messages`, { policy: 'volume:discovery' }, () => json(200, { messages: [] }))
  router.get(`${P}/os-services`, { policy: 'volume:quota:update' }, async () => {
    const at = new Date().toISOString()
    const svc = (binary: string, host: string) => ({ binary, host, zone: 'nova', status: 'enabled', state: 'up', updated_at: at, disabled_reason: null })
    return json(200, {
      services: [svc('cinder-scheduler', 'stackling'), ...api.manager.driver.formats.map((f) => svc('cinder-volume', `stackling@${f}`))],
    })
  })
}

/** Last: anything else under /v3 is a Cinder API this release does not have (501, not 404). */
export function registerNotImplemented(router: Router): void {
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const) {
    router.add(method, '/v3/*', { policy: 'volume:not_implemented' }, (req) => {
      throw new NotImplemented(`${req.method} ${req.path.replace(/^\/v3\/[^/]+/, '')} is not implemented by the volume service in this Stackling release.`)
    })
  }
}
