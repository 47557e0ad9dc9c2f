import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, createKeypair, type CreateKeypairBody } from '../../../lib/openstack/compute'
import { useMutation, useQueryClient } from '../../../lib/query'

/** POST /os-keypairs: imports a public key, or generates a pair (its private_key is in this answer only). */
export function useCreateKeypair() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: CreateKeypairBody) => createKeypair(client, body),
    onSuccess: () => qc.invalidate(computeKeys.keypairs),
  })
}
