import { useClient } from '../../../lib/openstack/client-provider'
import { createSubnet, networkKeys, type CreateSubnetBody } from '../../../lib/openstack/network'
import { useMutation, useQueryClient } from '../../../lib/query'

/** POST /v2.0/subnets → 201; 400 for an overlapping range or a bad pool, 403 on another project's network. */
export function useCreateSubnet() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: CreateSubnetBody) => createSubnet(client, body),
    onSuccess: () => qc.invalidate(networkKeys.all),
  })
}
