import { randomUUID } from 'node:crypto'
import { BadRequest, Conflict } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import { VolumeTypeNotFound } from '../errors'
import { DEFAULT_TYPE_ID, type VolumeType } from '../models'
import { now } from '../volume-repository'
import { admin, type VolumeApi } from './context'
import { boolParam } from './list-query'
import { typeView } from './views'

const P = '/v3/:project_id'
const specsSchema = { type: 'object', additionalProperties: { type: 'string', maxLength: 255 }, propertyNames: { minLength: 1, maxLength: 255 } }

export function registerTypeRoutes(router: Router, api: VolumeApi): void {
  const { manager } = api
  const repo = manager.repo
  const checkSpecs = (specs: Record<string, string>) => {
    const backend = specs.volume_backend_name
    if (backend !== undefined && !manager.driver.formats.includes(backend as never)) {
      throw new BadRequest(`Invalid input received: volume_backend_name '${backend}' is not a backend of this cloud (choose ${manager.driver.formats.join(' or ')}).`, 'extra_specs/volume_backend_name')
    }
  }
  const loadType = async (req: ApiRequest): Promise<VolumeType> => manager.getType(req.ctx, req.params.id!)
  const byId = { load: loadType, target: () => ({}), hidden: (req: ApiRequest) => new VolumeTypeNotFound(req.params.id!) }

  router.get(`${P}/types`, { policy: 'volume:type:get_all' }, async (req) => {
    let types = await repo.types()
    const isPublic = req.query.get('is_public')
    if (!admin(req)) types = types.filter((t) => t.is_public)
    else if (isPublic !== null && isPublic.toLowerCase() !== 'none') types = types.filter((t) => t.is_public === boolParam(isPublic))
    return json(200, { volume_types: types.map((t) => typeView(req, t)) })
  })
  router.get(`${P}/types/default`, { policy: 'volume:type:get' }, async (req) => json(200, { volume_type: typeView(req, (await repo.type(DEFAULT_TYPE_ID))!) }))
  router.post(
    `${P}/types`,
    {
      policy: 'volume:type:manage',
      body: {
        type: 'object',
        required: ['volume_type'],
        properties: {
          volume_type: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 255, pattern: '\\S' },
              description: { type: ['string', 'null'], maxLength: 255 },
              'os-volume-type-access:is_public': { type: ['boolean', 'string'] },
              extra_specs: specsSchema,
            },
          },
        },
      },
    },
    async (req: ApiRequest<{ volume_type: Record<string, any> }>) => {
      const b = req.body.volume_type
      const specs = (b.extra_specs ?? {}) as Record<string, string>
      checkSpecs(specs)
      const pub = b['os-volume-type-access:is_public']
      const t: VolumeType = {
        id: randomUUID(),
        name: String(b.name).trim(),
        description: b.description ?? null,
        is_public: pub === undefined ? true : typeof pub === 'boolean' ? pub : boolParam(pub),
        extra_specs: specs,
        created_at: now(),
      }
      if (await repo.typeByName(t.name)) throw new Conflict(`Volume Type ${t.name} already exists.`)
      await repo.db.transaction((tx) => repo.insertType(tx, t))
      return json(200, { volume_type: typeView(req, t) })
    },
  )
  router.get(`${P}/types/:id`, { policy: 'volume:type:get', ...byId }, (req, t: VolumeType) => json(200, { volume_type: typeView(req, t) }))
  router.put(
    `${P}/types/:id`,
    {
      policy: 'volume:type:manage',
      body: { type: 'object', required: ['volume_type'], properties: { volume_type: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 255 }, description: { type: ['string', 'null'] }, is_public: { type: ['boolean', 'string'] } } } } },
      ...byId,
    },
    async (req: ApiRequest<{ volume_type: Record<string, any> }>, t: VolumeType) => {
      const b = req.body.volume_type
      const patch: Partial<VolumeType> = {}
      if (b.name !== undefined) {
        if (t.id === DEFAULT_TYPE_ID) throw new BadRequest('The default volume type cannot be renamed.')
        patch.name = b.name
      }
      if (b.description !== undefined) patch.description = b.description
      if (b.is_public !== undefined) patch.is_public = typeof b.is_public === 'boolean' ? b.is_public : boolParam(b.is_public)
      await repo.db.transaction((tx) => repo.updateType(tx, t.id, patch))
      return json(200, { volume_type: typeView(req, { ...t, ...patch }) })
    },
  )
  router.delete(`${P}/types/:id`, { policy: 'volume:type:manage', ...byId }, async (_req, t: VolumeType) => {
    if (t.id === DEFAULT_TYPE_ID) throw new BadRequest(`Invalid volume type: the default volume type ${t.name} cannot be deleted.`)
    await repo.db.transaction(async (tx) => {
      if (await repo.typeInUse(tx, t.id)) throw new BadRequest(`Target volume type ${t.id} is still in use.`)
      await repo.deleteType(tx, t.id)
    })
    return { status: 202, text: '', headers: { 'Content-Length': 0 } }
  })

  // Extra specs (admin writes; everyone who sees the type reads what typeView shows them)
  router.get(`${P}/types/:id/extra_specs`, { policy: 'volume:type:get', ...byId }, (req, t: VolumeType) => json(200, { extra_specs: admin(req) ? t.extra_specs : {} }))
  router.post(
    `${P}/types/:id/extra_specs`,
    { policy: 'volume:type:manage', body: { type: 'object', required: ['extra_specs'], properties: { extra_specs: specsSchema } }, ...byId },
    async (req: ApiRequest<{ extra_specs: Record<string, string> }>, t: VolumeType) => {
      const specs = { ...t.extra_specs, ...req.body.extra_specs }
      checkSpecs(specs)
      await repo.db.transaction(async (tx) => {
        if (specs.volume_backend_name !== t.extra_specs.volume_backend_name && (await repo.typeInUse(tx, t.id))) {
          throw new BadRequest(`Type ${t.id} is in use by volumes: its backend cannot change.`)
        }
        await repo.updateType(tx, t.id, { extra_specs: specs })
      })
      return json(200, { extra_specs: req.body.extra_specs })
    },
  )
  router.get(`${P}/types/:id/extra_specs/:key`, { policy: 'volume:type:get', ...byId }, (req, t: VolumeType) => {
    const key = req.params.key!
    if (!admin(req) || !(key in t.extra_specs)) throw new VolumeTypeNotFound(`${t.id} extra spec ${key}`)
    return json(200, { [key]: t.extra_specs[key] })
  })
  router.put(`${P}/types/:id/extra_specs/:key`, { policy: 'volume:type:manage', body: { type: 'object', minProperties: 1, maxProperties: 1, additionalProperties: { type: 'string' } }, ...byId }, async (req: ApiRequest<Record<string, string>>, t: VolumeType) => {
    const key = req.params.key!
    if (!(key in req.body)) throw new BadRequest('Request body and URI mismatch')
    const specs = { ...t.extra_specs, [key]: req.body[key]! }
    checkSpecs(specs)
    await repo.db.transaction((tx) => repo.updateType(tx, t.id, { extra_specs: specs }))
    return json(200, { [key]: req.body[key] })
  })
  router.delete(`${P}/types/:id/extra_specs/:key`, { policy: 'volume:type:manage', ...byId }, async (req, t: VolumeType) => {
    const { [req.params.key!]: gone, ...rest } = t.extra_specs
    if (gone === undefined) throw new VolumeTypeNotFound(`${t.id} extra spec ${req.params.key}`)
    await repo.db.transaction((tx) => repo.updateType(tx, t.id, { extra_specs: rest }))
    return { status: 202, text: '', headers: { 'Content-Length': 0 } }
  })
}
