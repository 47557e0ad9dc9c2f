import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, createFlavor, type CreateFlavorBody } from '../../../lib/openstack/compute'
import { useMutation, useQueryClient } from '../../../lib/query'

/** POST /flavors (admin) → 200 with the new flavor. */
export function useCreateFlavor() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: CreateFlavorBody) => createFlavor(client, body),
    onSuccess: () => qc.invalidate(computeKeys.flavors),
  })
}
