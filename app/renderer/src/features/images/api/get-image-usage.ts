import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { getImageUsage, imageKeys, type ImageUsage } from '../../../lib/openstack/image'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /v2/info/usage: how much of the project's image storage quota is used. */
export const getImageUsageQueryOptions = (client: OpenStackClient): QueryOptions<ImageUsage> => ({
  queryKey: imageKeys.usage,
  queryFn: ({ signal }) => getImageUsage(client, signal),
})

export function useImageUsage() {
  return useQuery(getImageUsageQueryOptions(useClient()))
}

/** Bytes used and allowed; undefined when the cloud does not report it, limit undefined when unlimited. */
export function storageUsage(u: ImageUsage | undefined): { used: number; limit?: number } | undefined {
  const total = u?.usage?.image_size_total
  if (!total || typeof total.usage !== 'number') return undefined
  return { used: total.usage, limit: typeof total.limit === 'number' && total.limit >= 0 ? total.limit : undefined }
}
