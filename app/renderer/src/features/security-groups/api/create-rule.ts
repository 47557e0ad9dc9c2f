import { useClient } from '../../../lib/openstack/client-provider'
import { createSecurityGroupRule, networkKeys, type CreateRuleBody } from '../../../lib/openstack/network'
import { useMutation, useQueryClient } from '../../../lib/query'

/** POST /v2.0/security-group-rules → 201; 409 SecurityGroupRuleExists for a duplicate. */
export function useCreateRule() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: CreateRuleBody) => createSecurityGroupRule(client, body),
    onSuccess: () => qc.invalidate(networkKeys.securityGroups),
  })
}
