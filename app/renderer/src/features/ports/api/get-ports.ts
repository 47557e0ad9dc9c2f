import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, listServers, type Server } from '../../../lib/openstack/compute'
import { listNetworks, listPorts, listRouters, listSecurityGroups, listSubnets, networkKeys, type Network, type Port, type PortFilters, type Router, type SecurityGroup, type Subnet } from '../../../lib/openstack/network'
import { usePageVisible } from '../../../lib/page-visibility'
import { usePolling, useQuery, type QueryOptions } from '../../../lib/query'

export const PORTS_POLL_MS = 5000

/** GET /v2.0/ports with the panel's filters (sent to Neutron, so the API drawer shows `port list --network …`). */
export const getPortsQueryOptions = (client: OpenStackClient, filters: PortFilters): QueryOptions<Port[]> => ({
  queryKey: networkKeys.portList(filters),
  queryFn: ({ signal }) => listPorts(client, filters, signal),
})

/** The ports, refreshed every 5 s while on screen: a port turns ACTIVE when its instance or router binds it. */
export function usePorts(filters: PortFilters) {
  const visible = usePageVisible()
  const query = useQuery(getPortsQueryOptions(useClient(), filters))
  usePolling(visible && query.status !== 'pending', query.isFetching, query.refetch, PORTS_POLL_MS)
  return { ...query, live: visible }
}

/** The same queries (and cache) as the Networks, Security groups and Routers panels: names for IDs. */
export function usePortContext() {
  const client = useClient()
  const networks = useQuery<Network[]>({ queryKey: networkKeys.networks, queryFn: ({ signal }) => listNetworks(client, signal) })
  const subnets = useQuery<Subnet[]>({ queryKey: networkKeys.subnets, queryFn: ({ signal }) => listSubnets(client, signal) })
  const groups = useQuery<SecurityGroup[]>({ queryKey: networkKeys.securityGroups, queryFn: ({ signal }) => listSecurityGroups(client, signal) })
  const routers = useQuery<Router[]>({ queryKey: networkKeys.routers, queryFn: ({ signal }) => listRouters(client, signal) })
  const servers = useQuery<Server[]>({ queryKey: computeKeys.serverList, queryFn: ({ signal }) => listServers(client, signal), enabled: Boolean(client.endpoint('compute')) })
  return { networks, subnets, groups, routers, servers }
}
