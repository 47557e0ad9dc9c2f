import { useClient } from '../../../lib/openstack/client-provider'
import { deleteNetwork, networkKeys } from '../../../lib/openstack/network'
import { useMutation, useQueryClient } from '../../../lib/query'

/** DELETE /v2.0/networks/{id} → 204 (its subnets go with it); 409 NetworkInUse while ports are on it. */
export function useDeleteNetwork() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => deleteNetwork(client, id),
    onSuccess: () => qc.invalidate(networkKeys.all),
  })
}
