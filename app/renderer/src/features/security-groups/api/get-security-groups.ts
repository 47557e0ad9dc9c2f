import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { listSecurityGroups, networkKeys, type SecurityGroup } from '../../../lib/openstack/network'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /v2.0/security-groups: each group with its security_group_rules (Neutron makes the project's `default`). */
export const getSecurityGroupsQueryOptions = (client: OpenStackClient): QueryOptions<SecurityGroup[]> => ({
  queryKey: networkKeys.securityGroups,
  queryFn: ({ signal }) => listSecurityGroups(client, signal),
})

export function useSecurityGroups() {
  return useQuery(getSecurityGroupsQueryOptions(useClient()))
}
