import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { listPorts, networkKeys, type Port } from '../../../lib/openstack/network'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /v2.0/ports?network_id=…: what is plugged into one network. */
export const getNetworkPortsQueryOptions = (client: OpenStackClient, networkId: string): QueryOptions<Port[]> => ({
  queryKey: networkKeys.portList({ network_id: networkId }),
  queryFn: ({ signal }) => listPorts(client, { network_id: networkId }, signal),
})

export function useNetworkPorts(networkId: string) {
  return useQuery(getNetworkPortsQueryOptions(useClient(), networkId))
}
