import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, listHypervisors, type Hypervisor } from '../../../lib/openstack/compute'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /os-hypervisors/detail (admin only: members are never asked, the policy would refuse). */
export const getHypervisorsQueryOptions = (client: OpenStackClient): QueryOptions<Hypervisor[]> => ({
  queryKey: computeKeys.hypervisors,
  queryFn: ({ signal }) => listHypervisors(client, signal),
})

export function useHypervisors(enabled: boolean) {
  return useQuery({ ...getHypervisorsQueryOptions(useClient()), enabled })
}
