import { useEffect } from 'react'
import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { imageKeys, listImages, type Image } from '../../../lib/openstack/image'
import { useQuery, type QueryOptions } from '../../../lib/query'
import { POLL_MS, shouldPoll } from '../utils/image-status'

/** GET /v2/images?limit=100&sort=name:asc, following `next`: every image this user may see. */
export const getImages = (client: OpenStackClient, signal?: AbortSignal) => listImages(client, { signal, sort: 'name:asc' })

export const getImagesQueryOptions = (client: OpenStackClient): QueryOptions<Image[]> => ({
  queryKey: imageKeys.list,
  queryFn: ({ signal }) => getImages(client, signal),
})

/**
 * Refetches `POLL_MS` after each answer while `active` (never two requests at once, unlike an interval, so a
 * slow answer is not cancelled by the next tick).
 */
export function usePolling(active: boolean, isFetching: boolean, refetch: () => Promise<void>) {
  useEffect(() => {
    if (!active || isFetching) return
    const t = setTimeout(() => void refetch(), POLL_MS)
    return () => clearTimeout(t)
  }, [active, isFetching, refetch])
}

/** The images list; refreshes itself while an image is being saved, imported or has just been queued. */
export function useImages() {
  const query = useQuery(getImagesQueryOptions(useClient()))
  usePolling(query.status === 'success' && shouldPoll(query.data), query.isFetching, query.refetch)
  return query
}
