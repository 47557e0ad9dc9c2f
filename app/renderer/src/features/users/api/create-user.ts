import { useClient } from '../../../lib/openstack/client-provider'
import { createUser, grantProjectRole, identityKeys, type User } from '../../../lib/openstack/identity'
import { useMutation, useQueryClient } from '../../../lib/query'

export interface CreateUserInput {
  name: string
  password: string
  confirm: string
  email: string
  projectId: string
  roleId: string
  enabled: boolean
}

export type CreateUserErrors = Partial<Record<keyof CreateUserInput, string>>

const USER_NAME_MAX = 255

export function validateCreateUser(input: CreateUserInput, existing: readonly User[] = []): CreateUserErrors {
  const errors: CreateUserErrors = {}
  const name = input.name.trim()
  if (!name) errors.name = 'Give the user a name.'
  else if (name.length > USER_NAME_MAX) errors.name = `Use at most ${USER_NAME_MAX} characters.`
  else if (existing.some((u) => u.name.toLowerCase() === name.toLowerCase())) errors.name = `A user named "${name}" already exists. Choose another name.`
  if (!input.password) errors.password = 'Choose a password for the new user.'
  else if (input.password.length < 6) errors.password = 'Use at least 6 characters.'
  if (input.password && input.confirm !== input.password) errors.confirm = 'The two passwords differ: type the same password twice.'
  if (input.email.trim() && !/^[^\s@]+@[^\s@]+$/.test(input.email.trim())) errors.email = 'This does not look like an email address (name@example.org).'
  if (input.roleId && !input.projectId) errors.projectId = 'Choose the project the role is given on, or no role.'
  return errors
}

export interface CreateUserResult {
  user: User
  /** Set when the user was created but the role could not be given. */
  roleError?: unknown
}

/** POST /v3/users, then (when a project and a role were chosen) PUT /v3/projects/{p}/users/{u}/roles/{r}. */
export function useCreateUser() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: async (input: CreateUserInput): Promise<CreateUserResult> => {
      const user = await createUser(client, {
        name: input.name.trim(),
        password: input.password,
        enabled: input.enabled,
        ...(input.email.trim() ? { email: input.email.trim() } : {}),
        ...(input.projectId ? { default_project_id: input.projectId } : {}),
      })
      if (input.projectId && input.roleId) {
        try {
          await grantProjectRole(client, { projectId: input.projectId, userId: user.id, roleId: input.roleId })
        } catch (roleError) {
          return { user, roleError }
        }
      }
      return { user }
    },
    onSuccess: () => Promise.all([qc.invalidate(identityKeys.users), qc.invalidate(identityKeys.roleAssignments)]),
  })
}
