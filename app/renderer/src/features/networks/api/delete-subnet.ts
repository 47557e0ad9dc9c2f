import { useClient } from '../../../lib/openstack/client-provider'
import { deleteSubnet, networkKeys } from '../../../lib/openstack/network'
import { useMutation, useQueryClient } from '../../../lib/query'

/** DELETE /v2.0/subnets/{id} → 204; 409 SubnetInUse while ports have addresses on it. */
export function useDeleteSubnet() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => deleteSubnet(client, id),
    onSuccess: () => qc.invalidate(networkKeys.all),
  })
}
