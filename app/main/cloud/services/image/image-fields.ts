import { BadRequest, Conflict, Forbidden } from '../../platform/errors'
import { ReadOnlyAttribute } from './errors'
import { CONTAINER_FORMATS, DISK_FORMATS, type Image, type Visibility } from './models'

/** Attributes a client may never set; Glance answers 403 for them. */
export const READ_ONLY = new Set([
  'status', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value', 'created_at', 'updated_at', 'file',
  'self', 'schema', 'direct_url', 'locations', 'stores', 'id',
])
const RESERVED = new Set(['deleted', 'deleted_at', 'location', 'staging', 'os_glance_import_task'])
const CORE = new Set(['name', 'visibility', 'protected', 'os_hidden', 'tags', 'disk_format', 'container_format', 'min_disk', 'min_ram', 'owner'])
const MAX_PROPERTIES = 128

type Fields = Partial<Pick<Image, 'name' | 'visibility' | 'protected' | 'os_hidden' | 'tags' | 'disk_format' | 'container_format' | 'min_disk' | 'min_ram' | 'owner'>>

/** Checks one core attribute's value; returns it typed. @throws BadRequest naming the attribute. */
export function coreValue(key: string, value: unknown): unknown {
  const bad = (what: string) => new BadRequest(`Invalid value for '${key}': ${what}.`, key)
  switch (key) {
    case 'name':
      if (value !== null && (typeof value !== 'string' || value.length > 255)) throw bad('must be a string of at most 255 characters, or null')
      return value
    case 'visibility':
      if (!['public', 'private', 'shared', 'community'].includes(value as string)) throw bad('must be one of public, private, shared, community')
      return value
    case 'protected':
    case 'os_hidden':
      if (typeof value !== 'boolean') throw bad('must be true or false')
      return value
    case 'min_disk':
    case 'min_ram':
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 2 ** 31) throw bad('must be a whole number, 0 or more')
      return value
    case 'tags':
      if (!Array.isArray(value) || value.length > 128 || value.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 255)) {
        throw bad('must be a list of strings of 1 to 255 characters')
      }
      return [...new Set(value as string[])]
    case 'disk_format':
      if (value !== null && !(DISK_FORMATS as readonly string[]).includes(value as string)) throw bad(`must be one of ${DISK_FORMATS.join(', ')}`)
      return value
    case 'container_format':
      if (value !== null && !(CONTAINER_FORMATS as readonly string[]).includes(value as string)) throw bad(`must be one of ${CONTAINER_FORMATS.join(', ')}`)
      return value
    case 'owner':
      if (typeof value !== 'string' || value.length > 255) throw bad('must be a project id')
      return value
  }
  throw bad('is not an image attribute')
}

function checkKey(key: string): void {
  if (READ_ONLY.has(key)) throw new ReadOnlyAttribute(key)
  if (RESERVED.has(key)) throw new Forbidden(`Attribute '${key}' is reserved.`)
  if (key.length === 0 || key.length > 255) throw new BadRequest(`Property names must have 1 to 255 characters.`, key)
}

function propertyValue(key: string, value: unknown): string {
  if (typeof value !== 'string') throw new BadRequest(`Invalid value for '${key}': custom properties must be strings.`, key)
  if (value.length > 65535) throw new BadRequest(`Invalid value for '${key}': at most 65535 characters.`, key)
  return value
}

/** The body of POST /v2/images → fields and custom properties. */
export function parseCreate(body: Record<string, unknown>): Fields & { id?: string; properties: Record<string, string> } {
  const out: Fields & { id?: string; properties: Record<string, string> } = { properties: {} }
  for (const [key, value] of Object.entries(body)) {
    if (key === 'id') {
      if (typeof value !== 'string' || !/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value)) {
        throw new BadRequest("Invalid value for 'id': must be a UUID.", 'id')
      }
      out.id = value.toLowerCase()
      continue
    }
    checkKey(key)
    if (CORE.has(key)) (out as Record<string, unknown>)[key] = coreValue(key, value)
    else out.properties[key] = propertyValue(key, value)
  }
  if (Object.keys(out.properties).length > MAX_PROPERTIES) throw new BadRequest(`An image may have at most ${MAX_PROPERTIES} properties.`, 'properties')
  return out
}

export interface PatchOp {
  op: string
  path: string
  value?: unknown
}

/** Applies a JSON-patch (application/openstack-images-v2.1-json-patch) to a copy of the image. */
export function applyPatch(image: Image, ops: PatchOp[]): Image {
  const next: Image = { ...image, tags: [...image.tags], properties: { ...image.properties } }
  for (const [i, op] of ops.entries()) {
    if (typeof op !== 'object' || op === null || typeof op.path !== 'string') throw new BadRequest(`Patch operation ${i} needs an op and a path.`, `[${i}]`)
    if (!['add', 'replace', 'remove'].includes(op.op)) throw new BadRequest(`Patch operation '${op.op}' is not supported; use add, replace or remove.`, `[${i}]/op`)
    const key = op.path.replace(/^\//, '').replace(/~1/g, '/').replace(/~0/g, '~')
    if (!key || op.path[0] !== '/') throw new BadRequest(`Invalid JSON pointer '${op.path}'.`, `[${i}]/path`)
    checkKey(key)
    if (CORE.has(key)) {
      if (op.op === 'remove') throw new Forbidden(`Properties ${key} cannot be removed: they are core attributes.`)
      if ((key === 'disk_format' || key === 'container_format') && image.status !== 'queued') {
        throw new Forbidden(`${key} can only be changed while the image has no data (status queued).`)
      }
      ;(next as unknown as Record<string, unknown>)[key] = coreValue(key, op.value)
    } else if (op.op === 'remove') {
      if (!(key in next.properties)) throw new Conflict(`Property ${key} does not exist.`)
      delete next.properties[key]
    } else {
      if (op.op === 'replace' && !(key in next.properties)) throw new Conflict(`Property ${key} does not exist.`)
      next.properties[key] = propertyValue(key, op.value)
    }
  }
  if (Object.keys(next.properties).length > MAX_PROPERTIES) throw new BadRequest(`An image may have at most ${MAX_PROPERTIES} properties.`, 'properties')
  return next
}

export type { Visibility }
