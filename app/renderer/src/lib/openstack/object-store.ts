import type { OpenStackClient } from './client'
import { shellQuote } from './cli-equivalent'

/**
 * Thin Swift v1 calls (Horizon's `api.swift`). Paths are relative to the account URL of the catalog
 * (`/object-store/v1/AUTH_{project_id}`): `''` is the account, `/{container}` a container, `/{container}/{object}`
 * an object. Listings ask for `format=json`. Swift sends its metadata as headers, so HEADs return them.
 */

export interface AccountInfo {
  containerCount: number
  objectCount: number
  bytesUsed: number
  /** X-Account-Meta-Temp-URL-Key (undefined when the account has none). */
  tempUrlKey?: string
  quotaBytes?: number
}

export interface ContainerSummary {
  name: string
  count: number
  bytes: number
  last_modified?: string
}

export interface ContainerInfo {
  name: string
  objectCount: number
  bytesUsed: number
  /** X-Container-Read: `.r:*,.rlistings` when public. */
  read: string
  isPublic: boolean
}

/** One row of a container listing with a delimiter: an object, or a pseudo-folder (`subdir`). */
export type ListingEntry =
  | { name: string; bytes: number; hash: string; last_modified: string; content_type: string }
  | { subdir: string }

export const PUBLIC_READ_ACL = '.r:*,.rlistings'

const enc = encodeURIComponent
/** Encodes each segment of an object name, keeping its slashes (pseudo-folders). */
export const objectPath = (container: string, object?: string): string =>
  `/${enc(container)}${object === undefined ? '' : `/${object.split('/').map(enc).join('/')}`}`

const num = (h: Headers, name: string): number => Number(h.get(name) ?? 0) || 0

/** True when an ACL lets anyone read the objects (`.r:*` or `.r:*` with listings). */
export function isPublicAcl(read: string | null | undefined): boolean {
  return (read ?? '').split(',').some((s) => s.trim() === '.r:*')
}

/** HEAD the account: usage and the TempURL key. */
export async function getAccount(c: OpenStackClient, signal?: AbortSignal): Promise<AccountInfo> {
  const r = await c.request('object-store', 'HEAD', '', { signal })
  const key = r.headers.get('X-Account-Meta-Temp-URL-Key') ?? undefined
  const quota = r.headers.get('X-Account-Meta-Quota-Bytes')
  return {
    containerCount: num(r.headers, 'X-Account-Container-Count'),
    objectCount: num(r.headers, 'X-Account-Object-Count'),
    bytesUsed: num(r.headers, 'X-Account-Bytes-Used'),
    tempUrlKey: key || undefined,
    quotaBytes: quota ? Number(quota) : undefined,
  }
}

/** GET the account (format=json), following `marker` to the end. */
export async function listContainers(c: OpenStackClient, signal?: AbortSignal): Promise<ContainerSummary[]> {
  const out: ContainerSummary[] = []
  let marker: string | undefined
  for (let page = 0; page < 100; page++) {
    const r = await c.request<ContainerSummary[] | undefined>('object-store', 'GET', '', { query: { format: 'json', marker }, signal })
    const rows = Array.isArray(r.body) ? r.body : []
    out.push(...rows)
    if (rows.length < 10000) break
    marker = rows[rows.length - 1]!.name
  }
  return out
}

/** HEAD a container: counts and its read ACL. */
export async function getContainer(c: OpenStackClient, name: string, signal?: AbortSignal): Promise<ContainerInfo> {
  const r = await c.request('object-store', 'HEAD', objectPath(name), { signal })
  const read = r.headers.get('X-Container-Read') ?? ''
  return { name, objectCount: num(r.headers, 'X-Container-Object-Count'), bytesUsed: num(r.headers, 'X-Container-Bytes-Used'), read, isPublic: isPublicAcl(read) }
}

/** PUT /{container} → 201 (202 when it already existed). */
export const createContainer = (c: OpenStackClient, name: string, opts: { isPublic?: boolean } = {}) =>
  c
    .request('object-store', 'PUT', objectPath(name), {
      headers: opts.isPublic ? { 'X-Container-Read': PUBLIC_READ_ACL } : {},
      cli: opts.isPublic ? `swift post -r '${PUBLIC_READ_ACL}' ${shellQuote(name)}` : `openstack container create ${shellQuote(name)}`,
    })
    .then(() => undefined)

/** POST /{container} with X-Container-Read: public (`.r:*,.rlistings`) or private (empty: Swift removes it). */
export const setContainerPublic = (c: OpenStackClient, name: string, isPublic: boolean) =>
  c
    .request('object-store', 'POST', objectPath(name), {
      headers: { 'X-Container-Read': isPublic ? PUBLIC_READ_ACL : '' },
      cli: isPublic ? `swift post -r '${PUBLIC_READ_ACL}' ${shellQuote(name)}` : `swift post -r '' ${shellQuote(name)}`,
    })
    .then(() => undefined)

/** DELETE /{container} → 204 (409 while it holds objects). */
export const deleteContainer = (c: OpenStackClient, name: string) => c.request('object-store', 'DELETE', objectPath(name)).then(() => undefined)

/** GET /{container}?format=json[&prefix&delimiter=/]: one folder level (with a delimiter) or everything below a prefix. */
export async function listObjects(
  c: OpenStackClient,
  container: string,
  opts: { prefix?: string; delimiter?: string; signal?: AbortSignal } = {},
): Promise<ListingEntry[]> {
  const out: ListingEntry[] = []
  let marker: string | undefined
  for (let page = 0; page < 1000; page++) {
    const r = await c.request<ListingEntry[] | undefined>('object-store', 'GET', objectPath(container), {
      query: { format: 'json', prefix: opts.prefix || undefined, delimiter: opts.delimiter, marker },
      signal: opts.signal,
    })
    const rows = Array.isArray(r.body) ? r.body : []
    out.push(...rows)
    if (rows.length < 10000) break
    const last = rows[rows.length - 1]!
    marker = 'subdir' in last ? last.subdir : last.name
  }
  return out
}

/** HEAD an object: whether it is an SLO manifest (its DELETE must then take the segments too). */
export async function headObject(c: OpenStackClient, container: string, object: string): Promise<{ isSlo: boolean; size: number; contentType: string }> {
  const r = await c.request('object-store', 'HEAD', objectPath(container, object))
  return {
    isSlo: (r.headers.get('X-Static-Large-Object') ?? '').toLowerCase() === 'true',
    size: num(r.headers, 'Content-Length'),
    contentType: r.headers.get('Content-Type') ?? 'application/octet-stream',
  }
}

/**
 * DELETE an object (HEAD first: an SLO manifest is deleted with ?multipart-manifest=delete, which removes its
 * segments too, as `openstack object delete` does). A 404 counts as done.
 */
export async function deleteObject(c: OpenStackClient, container: string, object: string): Promise<void> {
  let isSlo = false
  try {
    isSlo = (await headObject(c, container, object)).isSlo
  } catch (err) {
    if ((err as { status?: number }).status === 404) return
    throw err
  }
  await c.request('object-store', 'DELETE', objectPath(container, object), { query: isSlo ? { 'multipart-manifest': 'delete' } : undefined })
}

/** POST the account: sets (or with '' removes) X-Account-Meta-Temp-URL-Key. */
export const setTempUrlKey = (c: OpenStackClient, key: string) =>
  c
    .request('object-store', 'POST', '', {
      headers: { 'X-Account-Meta-Temp-URL-Key': key },
      cli: key ? 'openstack object store account set --property Temp-URL-Key=<key>' : 'openstack object store account unset --property Temp-URL-Key',
    })
    .then(() => undefined)

export const objectStoreKeys = {
  all: ['object-store'] as const,
  account: ['object-store', 'account'] as const,
  containers: ['object-store', 'containers'] as const,
  container: (name: string) => ['object-store', 'container', name] as const,
  objects: (name: string, prefix: string) => ['object-store', 'objects', name, prefix] as const,
}
