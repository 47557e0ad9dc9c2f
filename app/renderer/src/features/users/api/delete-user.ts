import { useClient } from '../../../lib/openstack/client-provider'
import { deleteUser, identityKeys } from '../../../lib/openstack/identity'
import { useMutation, useQueryClient } from '../../../lib/query'

/** DELETE /v3/users/{id} */
export function useDeleteUser() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (userId: string) => deleteUser(client, userId),
    onSuccess: () => Promise.all([qc.invalidate(identityKeys.users), qc.invalidate(identityKeys.roleAssignments)]),
  })
}
