import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { listNetworks, listRouters, networkKeys, type Network, type Router } from '../../../lib/openstack/network'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /v2.0/routers. */
export const getRoutersQueryOptions = (client: OpenStackClient): QueryOptions<Router[]> => ({
  queryKey: networkKeys.routers,
  queryFn: ({ signal }) => listRouters(client, signal),
})

export function useRouters() {
  return useQuery(getRoutersQueryOptions(useClient()))
}

/** GET /v2.0/networks (the same query as the Networks panel): names for gateway and floating networks. */
export function useNetworkNames() {
  const client = useClient()
  const q = useQuery<Network[]>({ queryKey: networkKeys.networks, queryFn: ({ signal }) => listNetworks(client, signal) })
  return (id: string) => q.data?.find((n) => n.id === id)?.name ?? `${id.slice(0, 8)}…`
}
