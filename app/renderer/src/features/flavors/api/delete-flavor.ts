import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, deleteFlavor } from '../../../lib/openstack/compute'
import { useMutation, useQueryClient } from '../../../lib/query'

/** DELETE /flavors/{id} (admin) → 202. Instances that use it keep their own copy. */
export function useDeleteFlavor() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => deleteFlavor(client, id),
    onSuccess: () => qc.invalidate(computeKeys.flavors),
  })
}
