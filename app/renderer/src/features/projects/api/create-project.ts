import { useClient } from '../../../lib/openstack/client-provider'
import { createProject, DESCRIPTION_MAX, identityKeys, NAME_MAX, type Project } from '../../../lib/openstack/identity'
import { useMutation, useQueryClient } from '../../../lib/query'

export interface CreateProjectInput {
  name: string
  description: string
  enabled: boolean
}

export type CreateProjectErrors = Partial<Record<keyof CreateProjectInput, string>>

/** Checks a new project before it is sent; the messages say how to fix the input. */
export function validateCreateProject(input: CreateProjectInput, existing: readonly Project[] = []): CreateProjectErrors {
  const errors: CreateProjectErrors = {}
  const name = input.name.trim()
  if (!name) errors.name = 'Give the project a name.'
  else if (name.length > NAME_MAX) errors.name = `Use at most ${NAME_MAX} characters (this one has ${name.length}).`
  else if (existing.some((p) => p.name.toLowerCase() === name.toLowerCase())) errors.name = `A project named "${name}" already exists. Choose another name.`
  if (input.description.length > DESCRIPTION_MAX) errors.description = `Keep the description under ${DESCRIPTION_MAX} characters.`
  return errors
}

/** POST /v3/projects */
export function useCreateProject() {
  const client = useClient()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (input: CreateProjectInput) =>
      createProject(client, {
        name: input.name.trim(),
        ...(input.description.trim() ? { description: input.description.trim() } : {}),
        enabled: input.enabled,
      }),
    onSuccess: () => Promise.all([qc.invalidate(identityKeys.projects), qc.invalidate(identityKeys.myProjects)]),
  })
}
