import { BadRequest } from '../../../platform/errors'
import type { ApiRequest } from '../../../platform/http/types'
import { atLeast } from './views'

type Item = { id: string; created_at: string } & Record<string, any>

/** Cinder's list query: filters (exact, or `name~` like-filters from 3.34), sort (sort=k:dir or sort_key/sort_dir), marker, limit. */
export function listQuery<T extends Item>(
  req: ApiRequest,
  items: T[],
  opts: { filters: Record<string, (item: T, value: string) => boolean>; sortKeys: string[]; collection: string },
): { page: T[]; links?: { rel: string; href: string }[]; count?: number } {
  const q = req.query
  let out = items
  for (const [key, value] of q.entries()) {
    if (key.endsWith('~') && atLeast(req, '3.34')) {
      const field = key.slice(0, -1)
      if (opts.filters[field]) out = out.filter((i) => String(i[field] ?? '').toLowerCase().includes(value.toLowerCase()))
      continue
    }
    const f = opts.filters[key]
    if (f) out = out.filter((i) => f(i, value))
  }
  const sorts: [string, 'asc' | 'desc'][] = []
  if (q.get('sort')) {
    for (const part of q.get('sort')!.split(',')) {
      const [k, d] = part.split(':')
      sorts.push([k!.trim(), (d?.trim() as 'asc' | 'desc') || 'desc'])
    }
  } else if (q.get('sort_key')) sorts.push([q.get('sort_key')!, (q.get('sort_dir') as 'asc' | 'desc') || 'desc'])
  for (const [k, d] of sorts) {
    if (!opts.sortKeys.includes(k)) throw new BadRequest(`Invalid input received: sort key '${k}' is not one of ${opts.sortKeys.join(', ')}.`)
    if (d !== 'asc' && d !== 'desc') throw new BadRequest(`Invalid input received: sort direction '${d}' must be asc or desc.`)
  }
  if (!sorts.length) sorts.push(['created_at', 'desc'])
  sorts.push(['id', sorts[0]![1]])
  out = [...out].sort((a, b) => {
    for (const [k, d] of sorts) {
      const av = a[k] ?? ''
      const bv = b[k] ?? ''
      const c = typeof av === 'number' && typeof bv === 'number' ? av - bv : String(av).localeCompare(String(bv))
      if (c) return d === 'asc' ? c : -c
    }
    return 0
  })
  const count = out.length
  const marker = q.get('marker')
  if (marker) {
    const i = out.findIndex((x) => x.id === marker)
    if (i < 0) throw new BadRequest(`Invalid input received: marker ${marker} could not be found.`)
    out = out.slice(i + 1)
  }
  let links: { rel: string; href: string }[] | undefined
  const limitText = q.get('limit')
  if (limitText !== null) {
    const limit = Number(limitText)
    if (!Number.isInteger(limit) || limit < 0) throw new BadRequest(`Invalid input received: limit '${limitText}' must be a whole number ≥ 0.`)
    if (out.length > limit) {
      out = out.slice(0, limit)
      const next = new URLSearchParams(q)
      next.set('marker', out[out.length - 1]?.id ?? '')
      links = [{ rel: 'next', href: `${req.serviceUrl}${req.path}?${next.toString()}` }]
    }
  }
  const withCount = atLeast(req, '3.45') && /^(1|true|yes)$/i.test(q.get('with_count') ?? '')
  return { page: out, links, count: withCount ? count : undefined }
}

/** all_tenants=1 (admins only; ignored for others, as Cinder does). */
export function allTenants(req: ApiRequest, admin: boolean): boolean {
  return admin && /^(1|true|yes|True)$/.test(req.query.get('all_tenants') ?? '')
}

export const boolParam = (v: string) => /^(1|true|yes|t|on)$/i.test(v)

/** metadata filter: Cinder takes a dict in the query ({"k": "v"} or Python's {'k': 'v'}). */
export function metadataFilter(value: string): Record<string, string> {
  try {
    return JSON.parse(value.replace(/'/g, '"')) as Record<string, string>
  } catch {
    throw new BadRequest(`Invalid input received: metadata filter ${value} is not a dict.`)
  }
}
