import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { listFloatingIps, networkKeys, type FloatingIp } from '../../../lib/openstack/network'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /v2.0/floatingips. */
export const getFloatingIpsQueryOptions = (client: OpenStackClient): QueryOptions<FloatingIp[]> => ({
  queryKey: networkKeys.floatingIps,
  queryFn: ({ signal }) => listFloatingIps(client, signal),
})

export function useFloatingIps() {
  return useQuery(getFloatingIpsQueryOptions(useClient()))
}
