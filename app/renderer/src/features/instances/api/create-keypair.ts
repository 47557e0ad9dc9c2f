import { useClient } from '../../../lib/openstack/client-provider'
import { computeKeys, createKeypair, type CreateKeypairBody } from '../../../lib/openstack/compute'
import { useMutation, useQueryClient } from '../../../lib/query'

/** POST /os-keypairs from the launch wizard: generates a pair (its private key comes back once). */
export function useCreateKeypair() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: CreateKeypairBody) => createKeypair(client, body),
    onSuccess: () => qc.invalidate(computeKeys.keypairs),
  })
}
