import { useClient } from '../../../lib/openstack/client-provider'
import { deleteSecurityGroupRule, networkKeys } from '../../../lib/openstack/network'
import { useMutation, useQueryClient } from '../../../lib/query'

/** DELETE /v2.0/security-group-rules/{id} → 204. */
export function useDeleteRule() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => deleteSecurityGroupRule(client, id),
    onSuccess: () => qc.invalidate(networkKeys.securityGroups),
  })
}
