import { randomUUID } from 'node:crypto'
import { isAdmin } from '../../../platform/auth-context'
import { BadRequest, Conflict, NotFound } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import type { ComputeRepository } from '../compute-repository'
import { FlavorNotFound } from '../errors'
import type { Flavor } from '../models'
import { flavorView } from './views'

const CREATE = {
  type: 'object',
  properties: {
    flavor: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 255, pattern: '^(?! )[^\\x00-\\x1f]*(?<! )$' },
        id: { type: ['string', 'null'], minLength: 1, maxLength: 255, pattern: '^(?! )[a-zA-Z0-9. _-]+(?<! )$' },
        ram: { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1 },
        vcpus: { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 1 },
        disk: { type: ['integer', 'string'], pattern: '^[0-9]+$', minimum: 0 },
        'OS-FLV-EXT-DATA:ephemeral': { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 0 },
        swap: { type: ['integer', 'string'], pattern: '^[0-9]*$', minimum: 0 },
        rxtx_factor: { type: ['number', 'string'], minimum: 0 },
        'os-flavor-access:is_public': { type: ['boolean', 'string'] },
        description: { type: ['string', 'null'], maxLength: 65535 },
      },
      required: ['name', 'ram', 'vcpus', 'disk'],
      additionalProperties: false,
    },
  },
  required: ['flavor'],
  additionalProperties: false,
}

export function registerFlavorRoutes(router: Router, repo: ComputeRepository): void {
  const base = (req: ApiRequest) => req.serviceUrl
  const visible = async (req: ApiRequest): Promise<Flavor[]> => {
    const all = await repo.flavors()
    const isPublic = req.query.get('is_public')
    const access = req.ctx.projectId ? await repo.projectFlavorIds(req.ctx.projectId) : new Set<string>()
    return all.filter((f) => {
      if (isAdmin(req.ctx)) {
        if (isPublic === null || ['none', 'None'].includes(isPublic)) return isPublic === null ? f.is_public : true
        return f.is_public === ['true', 'True', '1', 't', 'yes'].includes(isPublic)
      }
      return f.is_public || access.has(f.id)
    })
  }
  const load = async (req: ApiRequest) => {
    const f = await repo.flavor(req.params.flavor_id!)
    if (!f) throw new FlavorNotFound(req.params.flavor_id!)
    if (!f.is_public && !isAdmin(req.ctx) && !(req.ctx.projectId && (await repo.projectFlavorIds(req.ctx.projectId)).has(f.id))) throw new FlavorNotFound(f.id)
    return f
  }

  const list = (detail: boolean) => async (req: ApiRequest) => {
    let flavors = await visible(req)
    const minRam = Number(req.query.get('minRam') ?? 0)
    const minDisk = Number(req.query.get('minDisk') ?? 0)
    if (Number.isNaN(minRam) || Number.isNaN(minDisk)) throw new BadRequest('minRam and minDisk must be numbers.', 'minRam')
    flavors = flavors.filter((f) => f.ram >= minRam && f.disk >= minDisk)
    const key = req.query.get('sort_key') ?? 'flavorid'
    const col = key === 'flavorid' ? 'id' : key
    if (!['id', 'name', 'memory_mb', 'ram', 'vcpus', 'root_gb', 'disk', 'ephemeral_gb', 'swap', 'rxtx_factor'].includes(col)) throw new BadRequest(`Invalid sort key: ${key}`, 'sort_key')
    const field = ({ memory_mb: 'ram', root_gb: 'disk', ephemeral_gb: 'ephemeral' } as Record<string, string>)[col] ?? col
    const dir = req.query.get('sort_dir') === 'desc' ? -1 : 1
    flavors.sort((a, b) => {
      const av = (a as unknown as Record<string, unknown>)[field]
      const bv = (b as unknown as Record<string, unknown>)[field]
      const c = typeof av === 'number' && typeof bv === 'number' ? av - bv : String(av).localeCompare(String(bv), undefined, { numeric: true })
      return c * dir
    })
    const marker = req.query.get('marker')
    if (marker) {
      const at = flavors.findIndex((f) => f.id === marker)
      if (at < 0) throw new BadRequest(`marker [${marker}] not found`, 'marker')
      flavors = flavors.slice(at + 1)
    }
    const limit = req.query.get('limit')
    if (limit !== null) flavors = flavors.slice(0, Number(limit))
    return json(200, { flavors: flavors.map((f) => flavorView(base(req), f, detail)) })
  }
  router.get('/v2.1/flavors', { policy: 'compute:flavors:index' }, list(false))
  router.get('/v2.1/flavors/detail', { policy: 'compute:flavors:index' }, list(true))
  router.get('/v2.1/flavors/:flavor_id', { policy: 'compute:flavors:show', load }, (req, f) => json(200, { flavor: flavorView(base(req), f) }))

  router.post('/v2.1/flavors', { policy: 'compute:flavor-manage:create', body: CREATE }, async (req: ApiRequest<{ flavor: Record<string, any> }>) => {
    const b = req.body.flavor
    const num = (v: unknown, d = 0) => (v === undefined || v === '' ? d : Number(v))
    const isPublic = b['os-flavor-access:is_public']
    const flavor: Flavor = {
      id: b.id ?? randomUUID(),
      name: b.name.trim(),
      ram: num(b.ram),
      vcpus: num(b.vcpus),
      disk: num(b.disk),
      ephemeral: num(b['OS-FLV-EXT-DATA:ephemeral']),
      swap: num(b.swap),
      rxtx_factor: num(b.rxtx_factor, 1),
      is_public: isPublic === undefined ? true : isPublic === true || ['true', 'True', '1'].includes(String(isPublic)),
      description: b.description ?? null,
      extra_specs: {},
    }
    if (flavor.ram < 1 || flavor.vcpus < 1) throw new BadRequest('ram and vcpus must be at least 1.', 'flavor/ram')
    await repo.db.transaction((tx) => repo.insertFlavor(tx, flavor)).catch((err) => {
      if ((err as { status?: number }).status === 409) throw new Conflict(`Flavor with name ${flavor.name} or ID ${flavor.id} already exists.`)
      throw err
    })
    return json(200, { flavor: flavorView(base(req), flavor) })
  })
  router.delete('/v2.1/flavors/:flavor_id', { policy: 'compute:flavor-manage:delete', load }, async (_req, f) => {
    await repo.db.transaction((tx) => repo.deleteFlavor(tx, f.id))
    return { status: 202, text: '', headers: { 'Content-Length': 0 } }
  })

  // Extra specs
  const specsBody = { type: 'object', properties: { extra_specs: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, propertyNames: { minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-_:. ]+$' } } }, required: ['extra_specs'], additionalProperties: false }
  router.get('/v2.1/flavors/:flavor_id/os-extra_specs', { policy: 'compute:flavor-extra-specs:index', load }, (_req, f) => json(200, { extra_specs: f.extra_specs }))
  router.post('/v2.1/flavors/:flavor_id/os-extra_specs', { policy: 'compute:flavor-extra-specs:create', load, body: specsBody }, async (req: ApiRequest<{ extra_specs: Record<string, unknown> }>, f) => {
    const specs = Object.fromEntries(Object.entries(req.body.extra_specs).map(([k, v]) => [k, String(v)]))
    await repo.db.transaction(async (tx) => {
      for (const [k, v] of Object.entries(specs)) await repo.setExtraSpec(tx, f.id, k, v)
    })
    return json(200, { extra_specs: specs })
  })
  router.get('/v2.1/flavors/:flavor_id/os-extra_specs/:key', { policy: 'compute:flavor-extra-specs:show', load }, (req, f) => {
    const v = f.extra_specs[req.params.key!]
    if (v === undefined) throw new NotFound(`Flavor ${f.id} has no extra specs with key ${req.params.key}.`)
    return json(200, { [req.params.key!]: v })
  })
  router.put('/v2.1/flavors/:flavor_id/os-extra_specs/:key', { policy: 'compute:flavor-extra-specs:update', load, body: { type: 'object', minProperties: 1, maxProperties: 1 } }, async (req: ApiRequest<Record<string, unknown>>, f) => {
    const [[k, v]] = Object.entries(req.body) as [[string, unknown]]
    if (k !== req.params.key) throw new BadRequest('Request body and URI mismatch', 'extra_specs')
    await repo.db.transaction((tx) => repo.setExtraSpec(tx, f.id, k, String(v)))
    return json(200, { [k]: String(v) })
  })
  router.delete('/v2.1/flavors/:flavor_id/os-extra_specs/:key', { policy: 'compute:flavor-extra-specs:delete', load }, async (req, f) => {
    const n = await repo.db.transaction((tx) => repo.deleteExtraSpec(tx, f.id, req.params.key!))
    if (!n) throw new NotFound(`Flavor ${f.id} has no extra specs with key ${req.params.key}.`)
    return { status: 200, text: '', headers: { 'Content-Length': 0 } }
  })

  // Access lists for private flavors
  router.get('/v2.1/flavors/:flavor_id/os-flavor-access', { policy: 'compute:flavor-access:index', load }, async (_req, f) => {
    if (f.is_public) throw new NotFound('Access list not available for public flavors.')
    return json(200, { flavor_access: (await repo.flavorAccess(f.id)).map((p) => ({ flavor_id: f.id, tenant_id: p })) })
  })
  router.post(
    '/v2.1/flavors/:flavor_id/action',
    { policy: 'compute:flavor-access:manage', load, body: { type: 'object', minProperties: 1, maxProperties: 1 } },
    async (req: ApiRequest<Record<string, { tenant?: string }>>, f) => {
      const [action] = Object.keys(req.body) as [string]
      const tenant = req.body[action]?.tenant
      if (!['addTenantAccess', 'removeTenantAccess'].includes(action)) throw new BadRequest(`There is no such action: ${action}`, action)
      if (typeof tenant !== 'string' || !tenant) throw new BadRequest(`${action} needs a tenant.`, `${action}/tenant`)
      if (f.is_public) throw new Conflict('Can not add access to a public flavor.')
      if (action === 'addTenantAccess') {
        await repo.db.transaction((tx) => repo.addFlavorAccess(tx, f.id, tenant)).catch((err) => {
          if ((err as { status?: number }).status === 409) throw new Conflict(`Flavor access already exists for flavor ${f.id} and project ${tenant} combination.`)
          throw err
        })
      } else if (!(await repo.db.transaction((tx) => repo.removeFlavorAccess(tx, f.id, tenant)))) {
        throw new NotFound(`Flavor access not found for ${f.id} / ${tenant} combination.`)
      }
      return json(200, { flavor_access: (await repo.flavorAccess(f.id)).map((p) => ({ flavor_id: f.id, tenant_id: p })) })
    },
  )
}
