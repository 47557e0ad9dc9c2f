import type { Router } from '../../../platform/http/router'
import { json } from '../../../platform/http/types'
import { notFoundTyped } from '../errors'
import { KINDS, SINGULAR } from '../models'
import { PATHS } from './resources.routes'
import { EXTENSIONS } from './views'

const UPDATED = '2025-01-01T10:00:00-00:00'

/** GET / (versions), GET /v2.0 (resources), GET /v2.0/extensions[/alias]. */
export function registerDiscoveryRoutes(router: Router): void {
  router.get('/', { policy: 'public' }, (req) =>
    json(200, { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${req.serviceUrl}/v2.0/`, rel: 'self' }] }] }),
  )
  router.get('/v2.0', { policy: 'public' }, (req) =>
    json(200, {
      resources: [
        ...KINDS.map((k) => ({ name: SINGULAR[k], collection: k, links: [{ href: `${req.serviceUrl}/v2.0/${PATHS[k]}`, rel: 'self' }] })),
        { name: 'quota', collection: 'quotas', links: [{ href: `${req.serviceUrl}/v2.0/quotas`, rel: 'self' }] },
        { name: 'extension', collection: 'extensions', links: [{ href: `${req.serviceUrl}/v2.0/extensions`, rel: 'self' }] },
      ],
    }),
  )
  const ext = (e: (typeof EXTENSIONS)[number]) => ({ ...e, updated: UPDATED, links: [] })
  router.get('/v2.0/extensions', { policy: 'network:get_extensions' }, () => json(200, { extensions: EXTENSIONS.map(ext) }))
  router.get('/v2.0/extensions/:alias', { policy: 'network:get_extensions' }, (req) => {
    const e = EXTENSIONS.find((x) => x.alias === req.params.alias)
    if (!e) throw notFoundTyped('HTTPNotFound', `Extension with alias ${req.params.alias} does not exist`)
    return json(200, { extension: ext(e) })
  })
}
