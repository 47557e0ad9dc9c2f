import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, listFlavors, type Flavor } from '../../../lib/openstack/compute'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /flavors/detail: the flavors this project may launch (public ones, and private ones it was given). */
export const getFlavorsQueryOptions = (client: OpenStackClient): QueryOptions<Flavor[]> => ({
  queryKey: computeKeys.flavorList(false),
  queryFn: ({ signal }) => listFlavors(client, { signal }),
})

export function useFlavors() {
  return useQuery(getFlavorsQueryOptions(useClient()))
}
