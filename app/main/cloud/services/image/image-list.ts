import { BadRequest } from '../../platform/errors'
import type { Image } from './models'

export type ListedImage = Image & { member_status: string | null }

const SORT_KEYS = ['name', 'status', 'container_format', 'disk_format', 'size', 'id', 'created_at', 'updated_at', 'visibility', 'owner', 'min_disk', 'min_ram', 'virtual_size']
const NON_PROPERTY_PARAMS = new Set(['limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'name', 'status', 'visibility', 'owner', 'tag', 'disk_format', 'container_format', 'member_status', 'size_min', 'size_max', 'protected', 'os_hidden', 'id', 'created_at', 'updated_at'])
export const DEFAULT_LIMIT = 25
export const MAX_LIMIT = 1000

/** `in:a,b` or a plain value → the accepted values. */
function values(v: string): string[] {
  return v.startsWith('in:') ? v.slice(3).split(',').map((x) => x.replace(/^"|"$/g, '')) : [v]
}

/** Glance's list semantics: default visibility, filters, sort, marker/limit. Pure, so it is unit-tested. */
export function listImages(images: ListedImage[], q: URLSearchParams, projectId: string | undefined): { page: ListedImage[]; more: boolean } {
  const visibility = q.get('visibility')
  if (visibility && !['public', 'private', 'shared', 'community', 'all'].includes(visibility)) {
    throw new BadRequest(`Invalid visibility value: ${visibility}`, 'visibility')
  }
  const memberStatus = q.get('member_status') ?? 'accepted'
  if (!['accepted', 'pending', 'rejected', 'all'].includes(memberStatus)) throw new BadRequest(`Invalid status value: ${memberStatus}`, 'member_status')
  const bool = (k: string): boolean | undefined => {
    const v = q.get(k)
    if (v === null) return undefined
    if (!['true', 'false'].includes(v.toLowerCase())) throw new BadRequest(`Invalid value for ${k}: use true or false.`, k)
    return v.toLowerCase() === 'true'
  }
  const int = (k: string): number | undefined => {
    const v = q.get(k)
    if (v === null) return undefined
    if (!/^\d+$/.test(v)) throw new BadRequest(`Invalid value for ${k}: must be a whole number.`, k)
    return Number(v)
  }
  const sizeMin = int('size_min')
  const sizeMax = int('size_max')
  const protectedF = bool('protected')
  const hidden = bool('os_hidden') ?? false
  const tags = q.getAll('tag')
  const props = [...q.entries()].filter(([k]) => !NON_PROPERTY_PARAMS.has(k))

  let list = images.filter((i) => {
    // Visibility: what a plain list shows is everything visible but community images of others and shared images
    // whose membership the caller has not accepted (member_status narrows that).
    const own = i.owner === projectId
    if (visibility && visibility !== 'all' && i.visibility !== visibility) return false
    if (!visibility && i.visibility === 'community' && !own) return false
    if (i.visibility === 'shared' && !own && i.member_status !== null && memberStatus !== 'all' && i.member_status !== memberStatus) return false
    if (i.os_hidden !== hidden) return false
    for (const [key, param] of [['name', 'name'], ['status', 'status'], ['owner', 'owner'], ['disk_format', 'disk_format'], ['container_format', 'container_format'], ['id', 'id']] as const) {
      const v = q.get(param)
      if (v !== null && !values(v).includes(String(i[key] ?? ''))) return false
    }
    if (sizeMin !== undefined && (i.size ?? -1) < sizeMin) return false
    if (sizeMax !== undefined && (i.size ?? Infinity) > sizeMax) return false
    if (protectedF !== undefined && i.protected !== protectedF) return false
    if (tags.some((t) => !i.tags.includes(t))) return false
    if (props.some(([k, v]) => i.properties[k] !== v)) return false
    return true
  })

  const sort = parseSort(q)
  list = [...list].sort((a, b) => {
    for (const [key, dir] of sort) {
      const av = (a as unknown as Record<string, unknown>)[key] ?? ''
      const bv = (b as unknown as Record<string, unknown>)[key] ?? ''
      const c = typeof av === 'number' && typeof bv === 'number' ? av - bv : String(av).localeCompare(String(bv))
      if (c !== 0) return dir === 'asc' ? c : -c
    }
    return 0
  })

  const marker = q.get('marker')
  if (marker !== null) {
    const at = list.findIndex((i) => i.id === marker)
    if (at < 0) throw new BadRequest(`Invalid marker. Image ${marker} could not be found.`, 'marker')
    list = list.slice(at + 1)
  }
  const limit = Math.min(int('limit') ?? DEFAULT_LIMIT, MAX_LIMIT)
  return { page: list.slice(0, limit), more: list.length > limit }
}

function parseSort(q: URLSearchParams): [string, 'asc' | 'desc'][] {
  const out: [string, 'asc' | 'desc'][] = []
  const check = (key: string, dir: string) => {
    if (!SORT_KEYS.includes(key)) throw new BadRequest(`Invalid sort key: ${key}. It should be one of: ${SORT_KEYS.join(', ')}`, 'sort')
    if (dir !== 'asc' && dir !== 'desc') throw new BadRequest(`Invalid sort direction: ${dir}`, 'sort')
    out.push([key, dir])
  }
  const sort = q.get('sort')
  if (sort) {
    if (q.has('sort_key') || q.has('sort_dir')) throw new BadRequest('The sort and sort_key/sort_dir parameters cannot be combined.', 'sort')
    for (const part of sort.split(',')) {
      const [key, dir = 'desc'] = part.split(':').map((s) => s.trim())
      check(key!, dir)
    }
  } else {
    const keys = q.getAll('sort_key')
    const dirs = q.getAll('sort_dir')
    keys.forEach((k, i) => check(k, dirs[i] ?? dirs[0] ?? 'desc'))
    if (!keys.length && dirs.length) check('created_at', dirs[0]!)
  }
  if (!out.length) out.push(['created_at', 'desc'])
  if (!out.some(([k]) => k === 'id')) out.push(['id', out[out.length - 1]![1]])
  return out
}
