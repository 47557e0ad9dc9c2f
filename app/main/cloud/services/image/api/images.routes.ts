import { isAdmin } from '../../../platform/auth-context'
import { BadRequest, Forbidden } from '../../../platform/errors'
import type { Router } from '../../../platform/http/router'
import { json, noContent, type ApiRequest } from '../../../platform/http/types'
import { PolicyNotAuthorized } from '../../../platform/errors'
import { applyPatch, parseCreate, type PatchOp } from '../image-fields'
import { listImages } from '../image-list'
import type { ImageManager } from '../image-manager'
import type { ImageRepository } from '../image-repository'
import type { Image } from '../models'
import { imageView } from './views'

export const PATCH_TYPES = ['application/openstack-images-v2.1-json-patch', 'application/openstack-images-v2.0-json-patch']

export function registerImageRoutes(router: Router, manager: ImageManager, repo: ImageRepository): void {
  const load = (req: ApiRequest) => manager.get(req.ctx, req.params.image_id!)
  const owned = (policy: string) => ({ policy, load, target: (_req: ApiRequest, i: Image) => ({ project_id: i.owner }) })
  const visible = (policy: string) => ({ policy, load })

  /** Making an image public is the admin's call (Glance's publicize_image). */
  const checkVisibility = (req: ApiRequest, v: string | undefined) => {
    if (v === 'public' && !isAdmin(req.ctx)) throw new PolicyNotAuthorized('image:publicize_image')
  }

  router.get('/v2/images', { policy: 'image:get_images' }, async (req) => {
    const all = await repo.listVisible(req.ctx.projectId, isAdmin(req.ctx))
    const { page, more } = listImages(all, req.query, req.ctx.projectId)
    const q = new URLSearchParams(req.query)
    q.delete('marker')
    const base = q.toString()
    const body: Record<string, unknown> = {
      images: page.map(imageView),
      first: `/v2/images${base ? `?${base}` : ''}`,
      schema: '/v2/schemas/images',
    }
    if (more && page.length) {
      const next = new URLSearchParams(q)
      next.set('marker', page[page.length - 1]!.id)
      body.next = `/v2/images?${next.toString()}`
    }
    return json(200, body)
  })

  router.post('/v2/images', { policy: 'image:add_image', body: { type: 'object' } }, async (req: ApiRequest<Record<string, unknown>>) => {
    const fields = parseCreate(req.body)
    checkVisibility(req, fields.visibility)
    if (fields.owner !== undefined && fields.owner !== req.ctx.projectId && !isAdmin(req.ctx)) throw new Forbidden('Only an admin may create an image for another project.')
    const image = await manager.create(req.ctx, fields)
    return json(201, imageView(image), { Location: `${req.serviceUrl}/v2/images/${image.id}` })
  })

  router.get('/v2/images/:image_id', visible('image:get_image'), (_req, image) => json(200, imageView(image)))

  router.patch(
    '/v2/images/:image_id',
    { ...owned('image:modify_image'), body: { type: 'array', maxItems: 256 }, bodyTypes: PATCH_TYPES },
    async (req: ApiRequest<PatchOp[]>, image) => {
      const next = applyPatch(image, req.body)
      if (next.visibility !== image.visibility) checkVisibility(req, next.visibility)
      if (next.owner !== image.owner && !isAdmin(req.ctx)) throw new Forbidden("Only an admin may change an image's owner.")
      return json(200, imageView(await manager.save(next)))
    },
  )

  router.delete('/v2/images/:image_id', owned('image:delete_image'), async (_req, image) => {
    await manager.delete(image)
    return noContent()
  })

  router.put('/v2/images/:image_id/file', { ...owned('image:upload_image'), rawBody: true }, async (req, image) => {
    const type = (req.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim()
    if (type !== 'application/octet-stream') throw new BadRequest(`Upload the data as application/octet-stream, not ${type}.`, 'Content-Type')
    // Glance multi-store: X-Image-Meta-Store names the store (else the default), checked before any byte is read.
    const storeId = manager.storeFor(header(req, 'x-image-meta-store'))
    await manager.upload(image, req.raw, storeId)
    return noContent()
  })

  router.get('/v2/images/:image_id/file', visible('image:download_image'), async (req, image) => {
    if (image.status === 'deactivated' && !isAdmin(req.ctx)) {
      throw new Forbidden('The requested image has been deactivated. Image data download is forbidden.')
    }
    if (!image.location || image.size === null) return noContent()
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/octet-stream',
      'Accept-Ranges': 'bytes',
    }
    if (image.checksum) headers['Content-MD5'] = image.checksum
    const range = parseRange(req.headers.range, image.size)
    if (range === 'unsatisfiable') {
      return { status: 416, headers: { 'Content-Range': `bytes */${image.size}`, 'Content-Length': 0 } }
    }
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${image.size}`
      headers['Content-Length'] = range.end - range.start + 1
      return { status: 206, headers, stream: await manager.openData(image, range) }
    }
    headers['Content-Length'] = image.size
    return { status: 200, headers, stream: await manager.openData(image) }
  })

  router.put('/v2/images/:image_id/stage', { ...owned('image:import_image'), rawBody: true }, async (req, image) => {
    await manager.stage(image, req.raw)
    return noContent()
  })

  router.post(
    '/v2/images/:image_id/import',
    {
      ...owned('image:import_image'),
      body: {
        type: 'object',
        properties: { method: { type: 'object', properties: { name: { type: 'string' }, uri: { type: 'string' } }, required: ['name'] } },
        required: ['method'],
      },
    },
    async (req: ApiRequest<{ method: { name: string; uri?: string } }>, image) => {
      await manager.import(image, req.body.method, manager.storeFor(header(req, 'x-image-meta-store')))
      return { status: 202, text: '', headers: { 'Content-Length': 0 } }
    },
  )

  router.post('/v2/images/:image_id/actions/deactivate', owned('image:deactivate'), async (_req, image) => {
    await manager.setActive(image, false)
    return noContent()
  })
  router.post('/v2/images/:image_id/actions/reactivate', owned('image:reactivate'), async (_req, image) => {
    await manager.setActive(image, true)
    return noContent()
  })

  router.put('/v2/images/:image_id/tags/:tag', owned('image:modify_image'), async (req, image) => {
    const tag = req.params.tag!
    if (tag.length > 255) throw new BadRequest('Tags may have at most 255 characters.', 'tag')
    if (!image.tags.includes(tag)) {
      if (image.tags.length >= 128) throw new BadRequest('An image may have at most 128 tags.', 'tag')
      await manager.save({ ...image, tags: [...image.tags, tag] })
    }
    return noContent()
  })
  router.delete('/v2/images/:image_id/tags/:tag', owned('image:modify_image'), async (req, image) => {
    if (!image.tags.includes(req.params.tag!)) throw new BadRequest(`Tag ${req.params.tag} not found.`, 'tag')
    await manager.save({ ...image, tags: image.tags.filter((t) => t !== req.params.tag) })
    return noContent()
  })
}

function header(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** One `bytes=` range (Glance serves a single range); undefined when there is none to honour. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  let start: number
  let end: number
  if (m[1] === '') {
    const suffix = Number(m[2])
    if (suffix === 0) return 'unsatisfiable'
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  }
  if (start >= size || start > end) return 'unsatisfiable'
  return { start, end }
}
