import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { getImage, imageKeys, type Image } from '../../../lib/openstack/image'
import { useQuery, type QueryOptions } from '../../../lib/query'
import { isChanging } from '../utils/image-status'
import { usePolling } from './get-images'

/** GET /v2/images/{id} */
export const getImageQueryOptions = (client: OpenStackClient, id: string): QueryOptions<Image> => ({
  queryKey: imageKeys.detail(id),
  queryFn: ({ signal }) => getImage(client, id, signal),
})

/** One image, refreshed while it is changing on its own (saving, importing). */
export function useImage(id: string) {
  const query = useQuery(getImageQueryOptions(useClient(), id))
  usePolling(query.status === 'success' && query.data !== undefined && isChanging(query.data), query.isFetching, query.refetch)
  return query
}
