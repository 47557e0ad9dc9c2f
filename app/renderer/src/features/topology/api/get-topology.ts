import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { listServers, type Server } from '../../../lib/openstack/compute'
import { listFloatingIps, listNetworks, listPorts, listRouters, listSubnets, networkKeys } from '../../../lib/openstack/network'
import { usePageVisible } from '../../../lib/page-visibility'
import { usePolling, useQuery, type QueryOptions } from '../../../lib/query'
import type { TopologyInput } from '../utils/topology-model'

export const TOPOLOGY_POLL_MS = 3000

export interface TopologyData extends TopologyInput {
  /** Why the servers are missing (no compute service, a refused call); the networks are drawn anyway. */
  serversError?: unknown
  fetchedAt: number
}

/**
 * One snapshot of everything the picture needs, fetched together so that it is never drawn half old, half new:
 * GET /v2.0/networks, /subnets, /ports, /routers, /floatingips and GET /compute/v2.1/servers/detail.
 */
export const getTopologyQueryOptions = (client: OpenStackClient): QueryOptions<TopologyData> => ({
  queryKey: networkKeys.topology,
  queryFn: async ({ signal }) => {
    const servers: Promise<{ servers?: Server[]; serversError?: unknown }> = client.endpoint('compute')
      ? listServers(client, signal).then(
          (s) => ({ servers: s }),
          (serversError: unknown) => ({ serversError }),
        )
      : Promise.resolve({ serversError: new Error('This cloud has no compute service: instances cannot be shown.') })
    const [networks, subnets, ports, routers, floatingIps, compute] = await Promise.all([
      listNetworks(client, signal),
      listSubnets(client, signal),
      listPorts(client, {}, signal),
      listRouters(client, signal),
      listFloatingIps(client, signal),
      servers,
    ])
    return { networks, subnets, ports, routers, floatingIps, ...compute, fetchedAt: Date.now() }
  },
})

/** The topology, refreshed every 3 s while the panel is on screen and the window visible. */
export function useTopology() {
  const visible = usePageVisible()
  const query = useQuery(getTopologyQueryOptions(useClient()))
  usePolling(visible && query.status !== 'pending', query.isFetching, query.refetch, TOPOLOGY_POLL_MS)
  return { ...query, live: visible }
}
