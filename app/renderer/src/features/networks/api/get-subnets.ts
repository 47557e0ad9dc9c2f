import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { listSubnets, networkKeys, type Subnet } from '../../../lib/openstack/network'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /v2.0/subnets: the CIDRs shown beside each network. */
export const getSubnetsQueryOptions = (client: OpenStackClient): QueryOptions<Subnet[]> => ({
  queryKey: networkKeys.subnets,
  queryFn: ({ signal }) => listSubnets(client, signal),
})

export function useSubnets() {
  return useQuery(getSubnetsQueryOptions(useClient()))
}
