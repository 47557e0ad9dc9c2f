import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { OpenStackError } from '../../../lib/openstack/errors'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** A catalog service as the overview shows it (types sharing one endpoint are one entry). */
export interface CatalogEntryView {
  types: string[]
  names: string[]
  url: string
}

export type ServiceHealth =
  | { state: 'up'; status: number; version?: string }
  | { state: 'soon'; status: number }
  | { state: 'error'; status: number; message: string }
  | { state: 'down'; message: string }

/** Groups the token's catalog by public endpoint URL (Cinder is listed as volumev3 and block-storage). */
export function catalogEntries(client: OpenStackClient): CatalogEntryView[] {
  const byUrl = new Map<string, CatalogEntryView>()
  for (const svc of client.session.catalog) {
    const url = client.endpoint(svc.type)
    if (!url) continue
    const e = byUrl.get(url) ?? { types: [], names: [], url }
    if (!e.types.includes(svc.type)) e.types.push(svc.type)
    if (svc.name && !e.names.includes(svc.name)) e.names.push(svc.name)
    byUrl.set(url, e)
  }
  return [...byUrl.values()]
}

/**
 * Where a service's version document lives: identity at /v3; Swift's at /info beside /v1 (…/v1/AUTH_{project_id}
 * → …/info); the others at their endpoint without the project part (…/v3/{project_id} → …/v3).
 */
export function versionUrl(entry: CatalogEntryView, projectId?: string): string {
  if (entry.types.includes('identity')) return `${entry.url}/v3`
  let url = entry.url.replace(/\/+$/, '')
  if (entry.types.includes('object-store')) return `${url.replace(/\/v1(\/AUTH_[^/]*)?$/, '')}/info`
  if (projectId) url = url.replace(new RegExp(`/${projectId}$`), '')
  return url
}

function versionOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined
  const b = body as { version?: { id?: string; version?: string }; versions?: unknown; swift?: { version?: string } }
  if (b.version?.id) return b.version.id
  if (b.swift?.version) return `Swift ${b.swift.version}`
  const list = Array.isArray(b.versions) ? b.versions : (b.versions as { values?: unknown[] } | undefined)?.values
  if (Array.isArray(list)) {
    const current = (list as { id?: string; status?: string }[]).find((v) => v.status === 'CURRENT' || v.status === 'stable') ?? list[0]
    return (current as { id?: string } | undefined)?.id
  }
  return undefined
}

/** GET the version document; never throws: the answer (or its absence) is the result. */
export async function getServiceHealth(client: OpenStackClient, entry: CatalogEntryView, signal?: AbortSignal): Promise<ServiceHealth> {
  const type = entry.types[0]!
  try {
    const res = await client.requestUrl(type, versionUrl(entry, client.session.project?.id), 'GET', '', {
      signal,
      ignoreUnauthorized: true,
      cli: `openstack versions show --service ${type}`,
    })
    return { state: 'up', status: res.status, version: versionOf(res.body) }
  } catch (err) {
    if (err instanceof OpenStackError) {
      if (err.status === 501) return { state: 'soon', status: 501 }
      if (err.status === 0) return { state: 'down', message: err.message }
      return { state: 'error', status: err.status, message: err.message }
    }
    return { state: 'down', message: String(err) }
  }
}

export const getServiceHealthQueryOptions = (client: OpenStackClient, entry: CatalogEntryView): QueryOptions<ServiceHealth> => ({
  queryKey: ['overview', 'health', entry.url],
  queryFn: ({ signal }) => getServiceHealth(client, entry, signal),
})

export function useServiceHealth(entry: CatalogEntryView) {
  return useQuery(getServiceHealthQueryOptions(useClient(), entry))
}
