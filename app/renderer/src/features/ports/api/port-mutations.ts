import { useClient } from '../../../lib/openstack/client-provider'
import { createPort, deletePort, networkKeys, updatePort, type CreatePortBody, type UpdatePortBody } from '../../../lib/openstack/network'
import { useMutation, useQueryClient } from '../../../lib/query'

/** POST /v2.0/ports → 201; 409 IpAddressAlreadyAllocated for a taken fixed IP, 403 on another project's network. */
export function useCreatePort() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: CreatePortBody) => createPort(client, body),
    onSuccess: () => qc.invalidate(networkKeys.all),
  })
}

/** PUT /v2.0/ports/{id} → 200 (the security groups replace the port's list). */
export function useUpdatePort() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdatePortBody }) => updatePort(client, id, body),
    onSuccess: () => qc.invalidate(networkKeys.all),
  })
}

/** DELETE /v2.0/ports/{id} → 204; 409 ServicePortInUse for router and floating IP ports. */
export function useDeletePort() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => deletePort(client, id),
    onSuccess: () => qc.invalidate(networkKeys.all),
  })
}
