import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, listKeypairs, type Keypair } from '../../../lib/openstack/compute'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /os-keypairs: the user's key pairs, to inject one into the instance. */
export const getKeypairsQueryOptions = (client: OpenStackClient): QueryOptions<Keypair[]> => ({
  queryKey: computeKeys.keypairs,
  queryFn: ({ signal }) => listKeypairs(client, signal),
})

export function useKeypairs() {
  return useQuery(getKeypairsQueryOptions(useClient()))
}
