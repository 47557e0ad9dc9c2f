import { BadRequest } from '../../../platform/errors'
import { notFoundTyped } from '../errors'

type Item = Record<string, unknown>

const RESERVED = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse'])

/** One filter value against one attribute, as Neutron compares query strings with typed attributes. */
function matches(value: unknown, wanted: string, key: string): boolean {
  if (Array.isArray(value)) {
    if (key === 'fixed_ips') {
      // fixed_ips=ip_address=10.0.0.3 or fixed_ips=subnet_id=…
      const [k, v] = wanted.split('=', 2)
      return value.some((f) => (f as Item)[k!] === v)
    }
    return value.some((v) => String(v) === wanted)
  }
  if (typeof value === 'boolean') return String(value) === wanted.toLowerCase()
  if (value === null) return wanted === '' || wanted === 'None' || wanted === 'null'
  return String(value) === wanted
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0
  if (a === null || a === undefined) return -1
  if (b === null || b === undefined) return 1
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a) < String(b) ? -1 : 1
}

/** Keeps only the `fields=` asked for (all when none). */
export function selectFields(item: Item, query: URLSearchParams): Item {
  const fields = query.getAll('fields').flatMap((f) => f.split(',')).filter(Boolean)
  if (!fields.length) return item
  return Object.fromEntries(fields.filter((f) => f in item).map((f) => [f, item[f]]))
}

/**
 * Neutron's list semantics over views: filters by any attribute (repeated = OR), sort_key/sort_dir pairs,
 * limit/marker/page_reverse with `<collection>_links` next/previous, then fields=.
 */
export function applyListQuery(items: Item[], query: URLSearchParams, collection: string, selfUrl: string): Record<string, unknown> {
  const keys = [...new Set([...query.keys()].filter((k) => !RESERVED.has(k)))]
  let out = items.filter((it) => keys.every((k) => !(k in it) || query.getAll(k).some((v) => matches(it[k], v, k))))
  const sortKeys = query.getAll('sort_key')
  const sortDirs = query.getAll('sort_dir')
  if (sortDirs.some((d) => d !== 'asc' && d !== 'desc')) throw new BadRequest(`Invalid input for sort_dir: ${sortDirs.join(',')}; it must be asc or desc.`, 'sort_dir')
  if (sortKeys.length) {
    for (const k of sortKeys) {
      if (items.length && !(k in items[0]!)) throw new BadRequest(`${k} is an invalid attribute for sort_keys`, 'sort_key')
    }
    out = [...out].sort((a, b) => {
      for (let i = 0; i < sortKeys.length; i++) {
        const c = compare(a[sortKeys[i]!], b[sortKeys[i]!]) * (sortDirs[i] === 'desc' ? -1 : 1)
        if (c) return c
      }
      return compare(a.id, b.id)
    })
  }
  const links: { rel: string; href: string }[] = []
  const limitText = query.get('limit')
  if (limitText !== null) {
    const limit = Number(limitText)
    if (!Number.isInteger(limit) || limit < 0) throw new BadRequest(`Limit must be an integer 0 or greater and not '${limitText}'`, 'limit')
    const marker = query.get('marker')
    const reverse = (query.get('page_reverse') ?? '').toLowerCase() === 'true'
    let start = 0
    let end = out.length
    if (marker) {
      const at = out.findIndex((i) => i.id === marker)
      if (at < 0) throw notFoundTyped('NotFound', `Marker ${marker} could not be found.`)
      if (reverse) end = at
      else start = at + 1
    }
    if (limit > 0) {
      if (reverse) start = Math.max(0, end - limit)
      else end = Math.min(out.length, start + limit)
    }
    const page = out.slice(start, end)
    const link = (rel: string, m: string, rev: boolean) => {
      const q = new URLSearchParams(query)
      q.delete('marker')
      q.delete('page_reverse')
      q.set('marker', m)
      if (rev) q.set('page_reverse', 'True')
      links.push({ rel, href: `${selfUrl}?${q.toString()}` })
    }
    if (page.length && limit > 0) {
      if (end < out.length) link('next', String(page[page.length - 1]!.id), false)
      if (start > 0) link('previous', String(page[0]!.id), true)
    }
    out = page
  }
  const body: Record<string, unknown> = { [collection]: out.map((i) => selectFields(i, query)) }
  if (links.length) body[`${collection}_links`] = links
  return body
}
