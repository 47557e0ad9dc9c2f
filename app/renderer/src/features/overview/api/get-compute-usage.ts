import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, getLimits, listHypervisors, type AbsoluteLimits, type Hypervisor } from '../../../lib/openstack/compute'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /limits: the project's compute quota and its use (everyone may ask). */
export const getLimitsQueryOptions = (client: OpenStackClient): QueryOptions<AbsoluteLimits> => ({
  queryKey: computeKeys.limits,
  queryFn: ({ signal }) => getLimits(client, signal),
})

export function useLimits(enabled: boolean) {
  return useQuery({ ...getLimitsQueryOptions(useClient()), enabled })
}

/** GET /os-hypervisors/detail: this machine's capacity and what the instances take of it (admins only). */
export const getHypervisorsQueryOptions = (client: OpenStackClient): QueryOptions<Hypervisor[]> => ({
  queryKey: computeKeys.hypervisors,
  queryFn: ({ signal }) => listHypervisors(client, signal),
})

export function useHypervisors(enabled: boolean) {
  return useQuery({ ...getHypervisorsQueryOptions(useClient()), enabled })
}
