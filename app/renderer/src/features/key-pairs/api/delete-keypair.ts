import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, deleteKeypair } from '../../../lib/openstack/compute'
import { useMutation, useQueryClient } from '../../../lib/query'

/** DELETE /os-keypairs/{name} → 202. Instances that got the key keep it in their authorized_keys. */
export function useDeleteKeypair() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (name: string) => deleteKeypair(client, name),
    onSuccess: () => qc.invalidate(computeKeys.keypairs),
  })
}
