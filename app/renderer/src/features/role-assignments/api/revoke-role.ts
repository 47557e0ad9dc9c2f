import { useClient } from '../../../lib/openstack/client-provider'
import { identityKeys, revokeProjectRole } from '../../../lib/openstack/identity'
import { useMutation, useQueryClient } from '../../../lib/query'

/** DELETE /v3/projects/{project_id}/users/{user_id}/roles/{role_id} */
export function useRevokeRole() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (a: { projectId: string; userId: string; roleId: string }) => revokeProjectRole(client, a),
    onSuccess: () => Promise.all([qc.invalidate(identityKeys.roleAssignments), qc.invalidate(identityKeys.myProjects)]),
  })
}
