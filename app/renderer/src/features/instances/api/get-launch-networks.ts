import { useClient } from '../../../lib/openstack/client-provider'
import { listNetworks, listSecurityGroups, listSubnets, networkKeys, type Network, type SecurityGroup, type Subnet } from '../../../lib/openstack/network'
import { useQuery } from '../../../lib/query'

/**
 * GET /v2.0/networks, /subnets and /security-groups under the keys of the Network panels (one cache): what the
 * launch wizard's Networks step offers. Nothing is fetched when the cloud has no network service.
 */
export function useLaunchNetworks() {
  const client = useClient()
  const enabled = Boolean(client.endpoint('network'))
  const networks = useQuery<Network[]>({ queryKey: networkKeys.networks, queryFn: ({ signal }) => listNetworks(client, signal), enabled })
  const subnets = useQuery<Subnet[]>({ queryKey: networkKeys.subnets, queryFn: ({ signal }) => listSubnets(client, signal), enabled })
  const groups = useQuery<SecurityGroup[]>({ queryKey: networkKeys.securityGroups, queryFn: ({ signal }) => listSecurityGroups(client, signal), enabled })
  return { enabled, networks, subnets, groups }
}
