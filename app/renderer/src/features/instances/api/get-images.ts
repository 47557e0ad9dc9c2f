import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { getImage, imageKeys, listImages, type Image } from '../../../lib/openstack/image'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /v2/images (every page), under the key the Images panel uses: one cache for both. */
export const getImagesQueryOptions = (client: OpenStackClient): QueryOptions<Image[]> => ({
  queryKey: imageKeys.list,
  queryFn: ({ signal }) => listImages(client, { signal, sort: 'name:asc' }),
})

export function useImages(enabled = true) {
  return useQuery({ ...getImagesQueryOptions(useClient()), enabled })
}

/** GET /v2/images/{id}: the image an instance booted from (it may be gone, or another project's). */
export const getImageQueryOptions = (client: OpenStackClient, id: string): QueryOptions<Image> => ({
  queryKey: imageKeys.detail(id),
  queryFn: ({ signal }) => getImage(client, id, signal),
})

export function useImage(id: string | undefined) {
  return useQuery({ ...getImageQueryOptions(useClient(), id ?? ''), enabled: Boolean(id) })
}
