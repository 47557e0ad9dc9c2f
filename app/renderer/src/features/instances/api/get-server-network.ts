import { useClient } from '../../../lib/openstack/client-provider'
import { listFloatingIps, listNetworks, listPorts, listSecurityGroups, networkKeys, type FloatingIp, type Network, type Port, type SecurityGroup } from '../../../lib/openstack/network'
import { usePageVisible } from '../../../lib/page-visibility'
import { usePolling, useQuery } from '../../../lib/query'

const POLL_MS = 5000

/**
 * An instance's side of Neutron: its ports (GET /v2.0/ports?device_id=…), the floating IPs on them (GET
 * /v2.0/floatingips, with host_forwards), network names and the security groups (does ssh get in?). Refreshed every 5 s while shown: an association made
 * elsewhere appears here. Nothing is fetched without a network service.
 */
export function useServerNetwork(serverId: string) {
  const client = useClient()
  const enabled = Boolean(client.endpoint('network'))
  const visible = usePageVisible()
  const ports = useQuery<Port[]>({ queryKey: networkKeys.portList({ device_id: serverId }), queryFn: ({ signal }) => listPorts(client, { device_id: serverId }, signal), enabled })
  const fips = useQuery<FloatingIp[]>({ queryKey: networkKeys.floatingIps, queryFn: ({ signal }) => listFloatingIps(client, signal), enabled })
  const networks = useQuery<Network[]>({ queryKey: networkKeys.networks, queryFn: ({ signal }) => listNetworks(client, signal), enabled })
  const groups = useQuery<SecurityGroup[]>({ queryKey: networkKeys.securityGroups, queryFn: ({ signal }) => listSecurityGroups(client, signal), enabled })
  usePolling(enabled && visible && fips.status !== 'pending', fips.isFetching, fips.refetch, POLL_MS)
  usePolling(enabled && visible && ports.status !== 'pending', ports.isFetching, ports.refetch, POLL_MS)
  return { enabled, ports, fips, networks, groups }
}
