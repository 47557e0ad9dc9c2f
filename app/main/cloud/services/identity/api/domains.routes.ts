import { Forbidden } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import { S } from '../../../platform/http/validation'
import { ResourceNotFound } from '../errors'
import { newId } from '../identity-manager'
import { DEFAULT_DOMAIN_ID, type Domain } from '../models'
import { type IdentityApi, listLinks, queryBool, selfUrl, v3Url } from './deps'
import { conflict } from './projects.routes'
import { domainView } from './views'

const FIELDS = { name: S.name(64), description: S.nullableString(65535), enabled: S.boolean, tags: { type: 'array', maxItems: 80, items: S.string(1, 255) }, options: { type: 'object' }, explicit_domain_id: S.string(1, 64) }
const CREATE = S.wrapped('domain', S.object(FIELDS, ['name']))
const UPDATE = S.wrapped('domain', { ...S.object(FIELDS), minProperties: 1 })
type DomainBody = { domain: { name?: string; description?: string | null; enabled?: boolean; tags?: string[]; explicit_domain_id?: string } }

export function registerDomainRoutes(router: Router, api: IdentityApi): void {
  const { repo } = api
  const one = (policy: string) => ({
    policy,
    load: async (req: ApiRequest) => {
      const d = await repo.getDomain(req.params.domain_id!)
      if (!d) throw new ResourceNotFound('domain', req.params.domain_id!)
      return d
    },
    target: (_req: ApiRequest, d: Domain) => ({ domain_id: d.id }),
  })

  router.get('/v3/domains', { policy: 'identity:list_domains' }, async (req) => {
    const enabled = queryBool(req, 'enabled')
    const domains = await repo.listDomains({ name: req.query.get('name') ?? undefined, enabled: enabled === undefined ? undefined : enabled ? 1 : 0 })
    return json(200, { domains: domains.map((d) => domainView(d, v3Url(req))), links: listLinks(selfUrl(req)) })
  })
  router.post('/v3/domains', { policy: 'identity:create_domain', body: CREATE }, async (req: ApiRequest<DomainBody>) => {
    const b = req.body.domain
    const domain: Domain = { id: b.explicit_domain_id ?? newId(), name: b.name!, description: b.description ?? '', enabled: b.enabled ?? true, tags: b.tags ?? [], extra: {} }
    await api.mutate((tx) => repo.insertDomain(tx, domain)).catch(conflict(`Conflict occurred attempting to store domain - Duplicate entry found with name ${domain.name}.`))
    return json(201, { domain: domainView(domain, v3Url(req)) })
  })
  router.get('/v3/domains/:domain_id', one('identity:get_domain'), (req, d) => json(200, { domain: domainView(d, v3Url(req)) }))
  router.patch('/v3/domains/:domain_id', { ...one('identity:update_domain'), body: UPDATE }, async (req: ApiRequest<DomainBody>, d) => {
    const b = req.body.domain
    if (d.id === DEFAULT_DOMAIN_ID && b.enabled === false) throw new Forbidden('The Default domain cannot be disabled.')
    const updated: Domain = { ...d, name: b.name ?? d.name, description: b.description === undefined ? d.description : (b.description ?? ''), enabled: b.enabled ?? d.enabled, tags: b.tags ?? d.tags }
    await api.mutate((tx) => repo.updateDomain(tx, updated)).catch(conflict(`Conflict occurred attempting to store domain - Duplicate entry found with name ${updated.name}.`))
    return json(200, { domain: domainView(updated, v3Url(req)) })
  })
  router.delete('/v3/domains/:domain_id', one('identity:delete_domain'), async (_req, d) => {
    if (d.id === DEFAULT_DOMAIN_ID) throw new Forbidden('The Default domain cannot be deleted.')
    if (d.enabled) throw new Forbidden('Cannot delete a domain that is enabled, please disable it first.')
    if (await repo.domainInUse(d.id)) throw new Forbidden(`Cannot delete domain ${d.id}: it still owns projects, users or groups; delete them first.`)
    await api.mutate((tx) => repo.deleteDomain(tx, d.id))
    return noContent()
  })
}
