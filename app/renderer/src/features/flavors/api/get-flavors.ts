import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, listFlavors, type Flavor } from '../../../lib/openstack/compute'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /flavors/detail; admins ask with is_public=None to see private flavors too (`flavor list --all`). */
export const getFlavorsQueryOptions = (client: OpenStackClient, all: boolean): QueryOptions<Flavor[]> => ({
  queryKey: computeKeys.flavorList(all),
  queryFn: ({ signal }) => listFlavors(client, { all, signal }),
})

export function useFlavors(all: boolean) {
  return useQuery(getFlavorsQueryOptions(useClient(), all))
}
