import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { identityKeys, listProjects, listRoles, listUsers, type Project, type Role, type User } from '../../../lib/openstack/identity'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** GET /v3/users */
export const getUsersQueryOptions = (client: OpenStackClient): QueryOptions<User[]> => ({
  queryKey: identityKeys.users,
  queryFn: ({ signal }) => listUsers(client, signal).then((u) => [...u].sort((a, b) => a.name.localeCompare(b.name))),
})

export function useUsers() {
  return useQuery(getUsersQueryOptions(useClient()))
}

/** The choices of the create form: GET /v3/projects and GET /v3/roles (shared cache keys with other panels). */
export const getProjectChoicesQueryOptions = (client: OpenStackClient): QueryOptions<Project[]> => ({
  queryKey: identityKeys.projects,
  queryFn: ({ signal }) => listProjects(client, signal).then((p) => [...p].sort((a, b) => a.name.localeCompare(b.name))),
})

export const getRoleChoicesQueryOptions = (client: OpenStackClient): QueryOptions<Role[]> => ({
  queryKey: identityKeys.roles,
  queryFn: ({ signal }) => listRoles(client, signal).then((r) => [...r].sort((a, b) => a.name.localeCompare(b.name))),
})

export function useProjectChoices({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ ...getProjectChoicesQueryOptions(useClient()), enabled })
}

export function useRoleChoices() {
  return useQuery(getRoleChoicesQueryOptions(useClient()))
}
