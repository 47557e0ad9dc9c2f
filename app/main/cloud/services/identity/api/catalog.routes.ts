import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import { ResourceNotFound } from '../errors'
import { stableId, type IdentityManager } from '../identity-manager'
import { listLinks, selfUrl, v3Url } from './deps'

interface CatalogService {
  id: string
  type: string
  name: string
  endpoints: { id: string; interface: string; region_id: string; url: string }[]
}

/**
 * The catalog is defined by the services the cloud runs, so services, endpoints and regions are read-only:
 * listing them is what `openstack service list`, `endpoint list` and `region list` need.
 */
export function registerCatalogRoutes(router: Router, manager: IdentityManager): void {
  const services = (req: ApiRequest): CatalogService[] =>
    (manager.catalog(req.baseUrl, '$(project_id)s') as CatalogService[]).map((s) => ({
      ...s,
      endpoints: s.endpoints.map((e) => ({ ...e, url: decodeURI(e.url) })),
    }))
  const serviceView = (s: CatalogService, req: ApiRequest) => ({
    id: s.id,
    type: s.type,
    name: s.name,
    enabled: true,
    description: `Stackling ${s.type} service`,
    links: { self: `${v3Url(req)}/services/${s.id}` },
  })
  const endpointsOf = (req: ApiRequest) =>
    services(req).flatMap((s) =>
      s.endpoints.map((e) => ({
        id: e.id,
        interface: e.interface,
        region: 'RegionOne',
        region_id: 'RegionOne',
        service_id: s.id,
        url: e.url,
        enabled: true,
        links: { self: `${v3Url(req)}/endpoints/${e.id}` },
      })),
    )
  const region = (req: ApiRequest) => ({ id: 'RegionOne', description: '', parent_region_id: null, links: { self: `${v3Url(req)}/regions/RegionOne` } })

  router.get('/v3/services', { policy: 'identity:list_services' }, (req) => {
    const type = req.query.get('type')
    const name = req.query.get('name')
    const list = services(req).filter((s) => (!type || s.type === type) && (!name || s.name === name))
    return json(200, { services: list.map((s) => serviceView(s, req)), links: listLinks(selfUrl(req)) })
  })
  router.get('/v3/services/:service_id', { policy: 'identity:get_service' }, (req) => {
    const s = services(req).find((x) => x.id === req.params.service_id)
    if (!s) throw new ResourceNotFound('service', req.params.service_id!)
    return json(200, { service: serviceView(s, req) })
  })
  router.get('/v3/endpoints', { policy: 'identity:list_endpoints' }, (req) => {
    const q = req.query
    const list = endpointsOf(req).filter(
      (e) =>
        (!q.get('interface') || e.interface === q.get('interface')) &&
        (!q.get('service_id') || e.service_id === q.get('service_id')) &&
        (!q.get('region_id') || e.region_id === q.get('region_id')),
    )
    return json(200, { endpoints: list, links: listLinks(selfUrl(req)) })
  })
  router.get('/v3/endpoints/:endpoint_id', { policy: 'identity:get_endpoint' }, (req) => {
    const e = endpointsOf(req).find((x) => x.id === req.params.endpoint_id)
    if (!e) throw new ResourceNotFound('endpoint', req.params.endpoint_id!)
    return json(200, { endpoint: e })
  })
  router.get('/v3/regions', { policy: 'identity:list_regions' }, (req) => json(200, { regions: [region(req)], links: listLinks(selfUrl(req)) }))
  router.get('/v3/regions/:region_id', { policy: 'identity:get_region' }, (req) => {
    if (req.params.region_id !== 'RegionOne') throw new ResourceNotFound('region', req.params.region_id!)
    return json(200, { region: region(req) })
  })
}

export { stableId }
