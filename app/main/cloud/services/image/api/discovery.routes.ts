import type { Router } from '../../../platform/http/router'
import { json, type ApiRequest } from '../../../platform/http/types'
import type { ImageRepository } from '../image-repository'
import { CONTAINER_FORMATS, DISK_FORMATS } from '../models'
import type { CloudConfig } from '../../../platform/config'
import type { ImageManager } from '../image-manager'
import { IMAGE_ACCOUNT, IMAGE_CONTAINER } from '../object-store-backend'

const VERSIONS = ['v2.16', 'v2.15', 'v2.14', 'v2.13', 'v2.12', 'v2.11', 'v2.10', 'v2.9', 'v2.8', 'v2.7', 'v2.6', 'v2.5', 'v2.4', 'v2.3', 'v2.2', 'v2.1', 'v2.0']

function versions(req: ApiRequest) {
  return {
    versions: VERSIONS.map((id, i) => ({ id, status: i === 0 ? 'CURRENT' : 'SUPPORTED', links: [{ rel: 'self', href: `${req.serviceUrl}/v2/` }] })),
  }
}

const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra })

/** The image schema Glance publishes (what glanceclient validates against). */
export const IMAGE_SCHEMA = {
  name: 'image',
  additionalProperties: { type: 'string' },
  properties: {
    id: { type: 'string', pattern: '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$', description: 'An identifier for the image' },
    name: nullable('string', { maxLength: 255, description: 'Descriptive name for the image' }),
    status: { type: 'string', readOnly: true, enum: ['queued', 'saving', 'active', 'killed', 'deleted', 'uploading', 'importing', 'pending_delete', 'deactivated'] },
    visibility: { type: 'string', enum: ['community', 'public', 'private', 'shared'] },
    protected: { type: 'boolean' },
    os_hidden: { type: 'boolean' },
    checksum: nullable('string', { readOnly: true, maxLength: 32 }),
    os_hash_algo: nullable('string', { readOnly: true, maxLength: 64 }),
    os_hash_value: nullable('string', { readOnly: true, maxLength: 128 }),
    owner: nullable('string', { maxLength: 255 }),
    size: nullable('integer', { readOnly: true }),
    virtual_size: nullable('integer', { readOnly: true }),
    container_format: nullable('string', { enum: [...CONTAINER_FORMATS, null] }),
    disk_format: nullable('string', { enum: [...DISK_FORMATS, null] }),
    created_at: { type: 'string', readOnly: true },
    updated_at: { type: 'string', readOnly: true },
    tags: { type: 'array', items: { type: 'string', maxLength: 255 } },
    direct_url: { type: 'string', readOnly: true },
    min_ram: { type: 'integer' },
    min_disk: { type: 'integer' },
    self: { type: 'string', readOnly: true },
    file: { type: 'string', readOnly: true },
    stores: { type: 'string', readOnly: true },
    schema: { type: 'string', readOnly: true },
    locations: { type: 'array', items: { type: 'object' } },
  },
  links: [
    { rel: 'self', href: '{self}' },
    { rel: 'enclosure', href: '{file}' },
    { rel: 'describedby', href: '{schema}' },
  ],
}

const MEMBER_SCHEMA = {
  name: 'member',
  properties: {
    created_at: { type: 'string' },
    image_id: { type: 'string' },
    member_id: { type: 'string' },
    schema: { type: 'string', readOnly: true },
    status: { type: 'string', enum: ['pending', 'accepted', 'rejected'] },
    updated_at: { type: 'string' },
  },
}

export function registerDiscoveryRoutes(router: Router, repo: ImageRepository, config: CloudConfig, manager: Pick<ImageManager, 'defaultStore'>): void {
  router.get('/', { policy: 'public' }, (req) => json(300, versions(req)))
  router.get('/versions', { policy: 'public' }, (req) => json(200, versions(req)))
  router.get('/v2/schemas/image', { policy: 'image:get_schema' }, () => json(200, IMAGE_SCHEMA))
  router.get('/v2/schemas/images', { policy: 'image:get_schema' }, () =>
    json(200, {
      name: 'images',
      properties: { images: { type: 'array', items: IMAGE_SCHEMA }, schema: { type: 'string' }, first: { type: 'string' }, next: { type: 'string' } },
      links: [{ rel: 'first', href: '{first}' }, { rel: 'next', href: '{next}' }, { rel: 'describedby', href: '{schema}' }],
    }),
  )
  router.get('/v2/schemas/member', { policy: 'image:get_schema' }, () => json(200, MEMBER_SCHEMA))
  router.get('/v2/schemas/members', { policy: 'image:get_schema' }, () =>
    json(200, { name: 'members', properties: { members: { type: 'array', items: MEMBER_SCHEMA }, schema: { type: 'string' } }, links: [{ rel: 'describedby', href: '{schema}' }] }),
  )
  router.get('/v2/info/import', { policy: 'image:get_info' }, () =>
    json(200, { 'import-methods': { description: 'Import methods available.', type: 'array', value: ['glance-direct', 'web-download'] } }),
  )
  // Glance multi-store: the store ids a client may name in X-Image-Meta-Store; `default` only on the default one.
  router.get('/v2/info/stores', { policy: 'image:get_info' }, () => {
    const def = manager.defaultStore()
    const stores = [
      { id: 'file', description: 'Image files in the Stackling data folder' },
      { id: 'object-store', description: 'One object per image in the object store (Swift), cached locally to boot from' },
    ]
    return json(200, { stores: stores.map((s) => (s.id === def ? { ...s, default: true } : s)) })
  })
  router.get('/v2/info/stores/detail', { policy: 'image:stores_info_detail' }, () => {
    const def = manager.defaultStore()
    const stores = [
      { id: 'file', type: 'file', description: 'Image files in the Stackling data folder', properties: { data_dir: 'images/' } },
      {
        id: 'object-store',
        type: 'swift',
        description: 'One object per image in the object store (Swift), cached locally to boot from',
        properties: { account: `AUTH_${IMAGE_ACCOUNT}`, container: IMAGE_CONTAINER, cache_dir: 'images/cache/' },
      },
    ]
    return json(200, { stores: stores.map((s) => ({ ...s, weight: 0, ...(s.id === def ? { default: true } : {}) })) })
  })
  router.get('/v2/info/usage', { policy: 'image:get_info' }, async (req) => {
    const used = req.ctx.projectId ? await repo.usedBytes(req.ctx.projectId) : 0
    return json(200, { usage: { image_size_total: { limit: config.imageQuotaBytes, usage: used } } })
  })
}
