import { useClient } from '../../../lib/openstack/client-provider'
import { deleteProject, identityKeys } from '../../../lib/openstack/identity'
import { useMutation, useQueryClient } from '../../../lib/query'

/** DELETE /v3/projects/{id}; Keystone also drops the project's role assignments. */
export function useDeleteProject() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (projectId: string) => deleteProject(client, projectId),
    onSuccess: () => qc.invalidate(identityKeys.all),
  })
}
