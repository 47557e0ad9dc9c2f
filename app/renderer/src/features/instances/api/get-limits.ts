import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, getLimits, type AbsoluteLimits } from '../../../lib/openstack/compute'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /limits: the project's compute quota and its use. */
export const getLimitsQueryOptions = (client: OpenStackClient): QueryOptions<AbsoluteLimits> => ({
  queryKey: computeKeys.limits,
  queryFn: ({ signal }) => getLimits(client, signal),
})

export function useLimits() {
  return useQuery(getLimitsQueryOptions(useClient()))
}
