import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { listNetworks, networkKeys, type Network } from '../../../lib/openstack/network'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /v2.0/networks: the project's own networks plus shared and external ones (admins: all). */
export const getNetworksQueryOptions = (client: OpenStackClient): QueryOptions<Network[]> => ({
  queryKey: networkKeys.networks,
  queryFn: ({ signal }) => listNetworks(client, signal),
})

export function useNetworks() {
  return useQuery(getNetworksQueryOptions(useClient()))
}
