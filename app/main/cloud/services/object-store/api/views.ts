import type { Listed } from '../listing'
import type { ContainerRecord, Metadata, ObjectRecord } from '../models'
import { listingDate } from '../object-store-manager'

export type ListingFormat = 'json' | 'xml' | 'plain'

/** The listing format from ?format= or, failing that, the Accept header (Swift's order). */
export function listingFormat(query: URLSearchParams, accept: string | undefined): ListingFormat {
  const f = query.get('format')?.toLowerCase()
  if (f === 'json' || f === 'xml' || f === 'plain') return f
  const a = (accept ?? '').toLowerCase()
  if (a.includes('application/json')) return 'json'
  if (a.includes('application/xml') || a.includes('text/xml')) return 'xml'
  return 'plain'
}

export const CONTENT_TYPES: Record<ListingFormat, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  plain: 'text/plain; charset=utf-8',
}

const xmlEscape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export function renderContainers(items: Listed<ContainerRecord>[], format: ListingFormat, account: string): string {
  if (format === 'plain') return items.map((i) => ('subdir' in i ? i.subdir : i.item.name) + '\n').join('')
  type Row = { subdir: string } | { name: string; count: number; bytes: number; last_modified: string }
  const rows = items.map((i): Row =>
    'subdir' in i ? { subdir: i.subdir } : { name: i.item.name, count: i.item.objectCount, bytes: i.item.bytesUsed, last_modified: listingDate(i.item.updatedAt) },
  )
  if (format === 'json') return JSON.stringify(rows)
  const body = rows
    .map((r) =>
      'subdir' in r
        ? `<subdir name="${xmlEscape(r.subdir)}"><name>${xmlEscape(r.subdir)}</name></subdir>`
        : `<container><name>${xmlEscape(r.name)}</name><count>${r.count}</count><bytes>${r.bytes}</bytes><last_modified>${r.last_modified}</last_modified></container>`,
    )
    .join('')
  return `<?xml version="1.0" encoding="UTF-8"?>\n<account name="${xmlEscape(account)}">${body}</account>`
}

export function renderObjects(items: Listed<ObjectRecord>[], format: ListingFormat, container: string): string {
  if (format === 'plain') return items.map((i) => ('subdir' in i ? i.subdir : i.item.name) + '\n').join('')
  type Row = { subdir: string } | { name: string; hash: string; bytes: number; content_type: string; last_modified: string }
  const rows = items.map((i): Row =>
    'subdir' in i
      ? { subdir: i.subdir }
      : {
          name: i.item.name,
          hash: i.item.metadata['x-object-manifest'] !== undefined ? 'd41d8cd98f00b204e9800998ecf8427e' : i.item.etag,
          bytes: i.item.metadata['x-object-manifest'] !== undefined ? 0 : i.item.size,
          content_type: i.item.contentType,
          last_modified: listingDate(i.item.createdAt),
        },
  )
  if (format === 'json') {
    // swift_bytes is internal to Swift's listing; clients see the plain content type.
    return JSON.stringify(rows)
  }
  const body = rows
    .map((r) =>
      'subdir' in r
        ? `<subdir name="${xmlEscape(r.subdir)}"><name>${xmlEscape(r.subdir)}</name></subdir>`
        : `<object><name>${xmlEscape(r.name)}</name><hash>${r.hash}</hash><bytes>${r.bytes}</bytes><content_type>${xmlEscape(r.content_type)}</content_type><last_modified>${r.last_modified}</last_modified></object>`,
    )
    .join('')
  return `<?xml version="1.0" encoding="UTF-8"?>\n<container name="${xmlEscape(container)}">${body}</container>`
}

export const xTimestamp = (ts: number) => ts.toFixed(5)
/** Swift shows Last-Modified rounded up to the second. */
export const lastModifiedSeconds = (ts: number) => Math.ceil(ts)
export const httpDate = (ts: number) => new Date(lastModifiedSeconds(ts) * 1000).toUTCString()

/** Stored metadata → response headers (names as stored: lower-case; HTTP is case-insensitive). */
export function metadataHeaders(metadata: Metadata, opts: { includeAcls: boolean }): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(metadata)) {
    if (!opts.includeAcls && (k === 'x-container-read' || k === 'x-container-write' || /temp-url-key/.test(k))) continue
    out[k] = v
  }
  return out
}
