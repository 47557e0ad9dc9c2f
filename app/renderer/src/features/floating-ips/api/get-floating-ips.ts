import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, listServers, type Server } from '../../../lib/openstack/compute'
import { imageKeys, listImages, type Image } from '../../../lib/openstack/image'
import { listFloatingIps, listNetworks, listPortForwardings, listPorts, networkKeys, type FloatingIp, type Network, type Port, type PortForwarding } from '../../../lib/openstack/network'
import { usePageVisible } from '../../../lib/page-visibility'
import { usePolling, useQuery, type QueryOptions } from '../../../lib/query'

export const FIP_POLL_MS = 5000

/** GET /v2.0/floatingips (with port_details and Stackling's host_forwards). */
export const getFloatingIpsQueryOptions = (client: OpenStackClient): QueryOptions<FloatingIp[]> => ({
  queryKey: networkKeys.floatingIps,
  queryFn: ({ signal }) => listFloatingIps(client, signal),
})

/** The floating IPs, refreshed every 5 s while on screen (status and host forwards follow an association). */
export function useFloatingIps() {
  const visible = usePageVisible()
  const query = useQuery(getFloatingIpsQueryOptions(useClient()))
  usePolling(visible && query.status !== 'pending', query.isFetching, query.refetch, FIP_POLL_MS)
  return { ...query, live: visible }
}

/** Names and choices: networks (the pools), the project's instances, images (their os_admin_user for ssh). */
export function useFloatingIpContext() {
  const client = useClient()
  const hasCompute = Boolean(client.endpoint('compute'))
  const networks = useQuery<Network[]>({ queryKey: networkKeys.networks, queryFn: ({ signal }) => listNetworks(client, signal) })
  const servers = useQuery<Server[]>({ queryKey: computeKeys.serverList, queryFn: ({ signal }) => listServers(client, signal), enabled: hasCompute })
  const images = useQuery<Image[]>({ queryKey: imageKeys.list, queryFn: ({ signal }) => listImages(client, { signal, sort: 'name:asc' }), enabled: Boolean(client.endpoint('image')) })
  return { networks, servers, images }
}

/** GET /v2.0/ports?device_id=…: an instance's ports, to choose the one a floating IP maps to. */
export function useInstancePorts(serverId: string) {
  const client = useClient()
  return useQuery<Port[]>({
    queryKey: networkKeys.portList({ device_id: serverId }),
    queryFn: ({ signal }) => listPorts(client, { device_id: serverId }, signal),
    enabled: Boolean(serverId),
  })
}

/** GET /v2.0/floatingips/{id}/port_forwardings. */
export function usePortForwardings(fipId: string) {
  const client = useClient()
  return useQuery<PortForwarding[]>({ queryKey: networkKeys.portForwardings(fipId), queryFn: ({ signal }) => listPortForwardings(client, fipId, signal) })
}
