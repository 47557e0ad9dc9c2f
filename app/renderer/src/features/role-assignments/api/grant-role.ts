import { useClient } from '../../../lib/openstack/client-provider'
import { grantProjectRole, identityKeys } from '../../../lib/openstack/identity'
import { useMutation, useQueryClient } from '../../../lib/query'
import type { AssignmentRow } from './get-role-assignments'

export interface GrantRoleInput {
  projectId: string
  userId: string
  roleId: string
}

export type GrantRoleErrors = Partial<Record<keyof GrantRoleInput, string>>

export function validateGrantRole(input: GrantRoleInput, existing: readonly AssignmentRow[] = []): GrantRoleErrors {
  const errors: GrantRoleErrors = {}
  if (!input.projectId) errors.projectId = 'Choose the project the role applies to.'
  if (!input.userId) errors.userId = 'Choose the user who gets the role.'
  if (!input.roleId) errors.roleId = 'Choose a role (member is the usual one; admin gives full control of the cloud).'
  const dup = existing.find((r) => r.actor.kind === 'user' && r.actor.id === input.userId && r.scope.kind === 'project' && r.scope.id === input.projectId && r.role.id === input.roleId && !r.inherited)
  if (dup && !errors.roleId) errors.roleId = `${dup.actor.name} already has the role ${dup.role.name} on ${dup.scope.name}.`
  return errors
}

/** PUT /v3/projects/{project_id}/users/{user_id}/roles/{role_id} */
export function useGrantRole() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (input: GrantRoleInput) => grantProjectRole(client, input),
    onSuccess: () => Promise.all([qc.invalidate(identityKeys.roleAssignments), qc.invalidate(identityKeys.myProjects)]),
  })
}
