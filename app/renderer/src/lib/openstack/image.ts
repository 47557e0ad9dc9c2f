import type { OpenStackClient } from './client'

/**
 * Thin Glance v2 calls (as Horizon's api.glance): one function per API call, wire JSON in OpenStack's spelling,
 * no UI concerns. Paths are relative to the catalog's image endpoint (`/image`), so they read `/v2/…` like the
 * API reference. The images panel uses them now; the compute panels will use them to pick an image.
 */

export type ImageStatus = 'queued' | 'saving' | 'active' | 'killed' | 'deactivated' | 'uploading' | 'importing' | 'pending_delete' | 'deleted'
export type ImageVisibility = 'public' | 'private' | 'shared' | 'community'

export interface Image {
  id: string
  name: string | null
  status: ImageStatus | (string & {})
  visibility: ImageVisibility | (string & {})
  owner?: string | null
  /** Bytes of image data; null until the data is uploaded. */
  size?: number | null
  virtual_size?: number | null
  disk_format?: string | null
  container_format?: string | null
  /** MD5 of the data (legacy, still shown by the CLI). */
  checksum?: string | null
  /** The "multihash": algorithm (sha512 by default) and its hex digest. */
  os_hash_algo?: string | null
  os_hash_value?: string | null
  /** Gigabytes of disk and megabytes of RAM an instance needs to boot it. */
  min_disk: number
  min_ram: number
  protected: boolean
  os_hidden?: boolean
  tags: string[]
  created_at: string
  updated_at: string
  self?: string
  file?: string
  schema?: string
  /** Custom properties (hw_*, os_distro, …) are flattened at the top level, always strings. */
  [property: string]: unknown
}

export interface ImageList {
  images: Image[]
  first?: string
  next?: string
  schema?: string
}

/** The body of POST /v2/images: attributes plus custom properties at the top level. */
export interface CreateImageBody {
  name: string
  disk_format: string
  container_format: string
  visibility?: ImageVisibility
  min_disk?: number
  min_ram?: number
  protected?: boolean
  tags?: string[]
  [property: string]: unknown
}

/** One operation of Glance's JSON-patch (media type application/openstack-images-v2.1-json-patch). */
export type ImagePatchOp = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string }

export const JSON_PATCH_TYPE = 'application/openstack-images-v2.1-json-patch'

export interface ImportInfo {
  'import-methods'?: { description?: string; type?: string; value?: string[] }
}

const PAGE_SIZE = 100
/** Stops a broken `next` link from looping for ever. */
const MAX_PAGES = 100

const enc = encodeURIComponent

/**
 * Where Glance's `next` link points, as a path below the image endpoint. Glance writes it relative to its own
 * root (`/v2/images?marker=…`); behind a path prefix it may include it (`/image/v2/images?…`), and some
 * deployments write a full URL. Null when there is no next page.
 */
export function nextPagePath(next: string | undefined | null, endpoint: string): string | null {
  if (!next) return null
  let u: URL
  let prefix: string
  try {
    u = new URL(next, 'http://glance.invalid')
    prefix = new URL(endpoint, 'http://glance.invalid').pathname.replace(/\/+$/, '')
  } catch {
    return null
  }
  let path = u.pathname
  if (prefix && (path === prefix || path.startsWith(`${prefix}/`)) && !path.startsWith('/v2/')) path = path.slice(prefix.length) || '/'
  return path + u.search
}

/** GET /v2/images, following `next` until the last page. */
export async function listImages(c: OpenStackClient, opts: { signal?: AbortSignal; sort?: string; pageSize?: number } = {}): Promise<Image[]> {
  const endpoint = c.endpoint('image') ?? '/image'
  const out: Image[] = []
  const seen = new Set<string>()
  let path: string | null = null
  for (let page = 0; page < MAX_PAGES; page++) {
    const res: { body: ImageList } =
      path === null
        ? await c.request<ImageList>('image', 'GET', '/v2/images', { query: { limit: opts.pageSize ?? PAGE_SIZE, sort: opts.sort ?? 'name:asc' }, signal: opts.signal })
        : await c.request<ImageList>('image', 'GET', path.split('?')[0]!, { query: new URLSearchParams(path.split('?')[1] ?? ''), signal: opts.signal })
    out.push(...(res.body.images ?? []))
    path = nextPagePath(res.body.next, endpoint)
    if (path === null || seen.has(path)) break
    seen.add(path)
  }
  return out
}

export const getImage = (c: OpenStackClient, id: string, signal?: AbortSignal) =>
  c.request<Image>('image', 'GET', `/v2/images/${enc(id)}`, { signal }).then((r) => r.body)

/** POST /v2/images → 201 with the new image, status queued (no data yet). */
export const createImage = (c: OpenStackClient, body: CreateImageBody) => c.post<Image>('image', '/v2/images', body)

/** PUT /v2/images/{id}/file with the raw bytes → 204; Glance moves the image saving → active. */
export const uploadImageData = (
  c: OpenStackClient,
  id: string,
  data: Blob,
  opts: { onProgress?: (loaded: number, total: number) => void; signal?: AbortSignal; cli?: string | null; fileName?: string } = {},
) =>
  c.upload<void>('image', `/v2/images/${enc(id)}/file`, data, {
    method: 'PUT',
    contentType: 'application/octet-stream',
    onProgress: opts.onProgress,
    signal: opts.signal,
    cli: opts.cli,
    describeBody: opts.fileName,
  })

/** PATCH /v2/images/{id} with a JSON-patch → 200 with the updated image. */
export const updateImage = (c: OpenStackClient, id: string, ops: ImagePatchOp[]) =>
  c.request<Image>('image', 'PATCH', `/v2/images/${enc(id)}`, { body: ops, contentType: JSON_PATCH_TYPE }).then((r) => r.body)

/** DELETE /v2/images/{id} → 204 (403 when the image is protected). */
export const deleteImage = (c: OpenStackClient, id: string) => c.delete<void>('image', `/v2/images/${enc(id)}`)

/** POST /v2/images/{id}/actions/deactivate → 204 (admin): the data can no longer be downloaded or booted. */
export const deactivateImage = (c: OpenStackClient, id: string) => c.post<void>('image', `/v2/images/${enc(id)}/actions/deactivate`)

/** POST /v2/images/{id}/actions/reactivate → 204 (admin). */
export const reactivateImage = (c: OpenStackClient, id: string) => c.post<void>('image', `/v2/images/${enc(id)}/actions/reactivate`)

/** POST /v2/images/{id}/import with web-download → 202; Glance fetches the URL itself (importing → active). */
export const importImageFromUrl = (c: OpenStackClient, id: string, uri: string) =>
  c.post<void>('image', `/v2/images/${enc(id)}/import`, { method: { name: 'web-download', uri } })

/** GET /v2/info/import: the import methods this cloud offers. */
export const getImportInfo = (c: OpenStackClient, signal?: AbortSignal) =>
  c.request<ImportInfo>('image', 'GET', '/v2/info/import', { signal }).then((r) => r.body)

export interface ImageUsage {
  usage?: Record<string, { limit: number; usage: number } | undefined>
}

/** GET /v2/info/usage: the project's quota usage (image_size_total in bytes; a limit of -1 means none). */
export const getImageUsage = (c: OpenStackClient, signal?: AbortSignal) =>
  c.request<ImageUsage>('image', 'GET', '/v2/info/usage', { signal }).then((r) => r.body)

/** Query keys shared by every panel that shows images, so one mutation refreshes them all. */
export const imageKeys = {
  all: ['image'] as const,
  list: ['image', 'images', 'list'] as const,
  detail: (id: string) => ['image', 'images', 'detail', id] as const,
  importInfo: ['image', 'import-info'] as const,
  usage: ['image', 'usage'] as const,
}

/** Glance's limit on names and on property keys and values. */
export const IMAGE_NAME_MAX = 255
export const PROPERTY_MAX = 255
