import type { OpenStackClient } from '../../../lib/openstack/client'
import { useClient } from '../../../lib/openstack/client-provider'
import { identityKeys, listProjects, listRoleAssignments, listRoles, listUsers, type Project, type Role, type RoleAssignment, type User } from '../../../lib/openstack/identity'
import { useQuery, type QueryOptions } from '../../../lib/query'

/** One row of the panel: an assignment with names filled in. */
export interface AssignmentRow {
  key: string
  role: { id: string; name: string }
  actor: { kind: 'user' | 'group'; id: string; name: string }
  scope: { kind: 'project' | 'domain' | 'system'; id: string; name: string }
  inherited: boolean
}

/** GET /v3/role_assignments?include_names=true */
export const getRoleAssignmentsQueryOptions = (client: OpenStackClient): QueryOptions<RoleAssignment[]> => ({
  queryKey: identityKeys.roleAssignments,
  queryFn: ({ signal }) => listRoleAssignments(client, signal),
})

export function useRoleAssignments({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ ...getRoleAssignmentsQueryOptions(useClient()), enabled })
}

// The grant form needs every project, user and role (the same cache keys the other identity panels use).
const sorted = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name))

export function useAssignmentChoices({ enabled = true }: { enabled?: boolean } = {}) {
  const client = useClient()
  const projects = useQuery<Project[]>({ queryKey: identityKeys.projects, queryFn: ({ signal }) => listProjects(client, signal).then(sorted), enabled })
  const users = useQuery<User[]>({ queryKey: identityKeys.users, queryFn: ({ signal }) => listUsers(client, signal).then(sorted), enabled })
  const roles = useQuery<Role[]>({ queryKey: identityKeys.roles, queryFn: ({ signal }) => listRoles(client, signal).then(sorted), enabled })
  return { projects, users, roles }
}

/** Fills in names Keystone did not include (include_names is optional for a server) from the lists we have. */
export function toRows(assignments: readonly RoleAssignment[], lookup: { projects?: Project[]; users?: User[]; roles?: Role[] }): AssignmentRow[] {
  const name = (list: { id: string; name: string }[] | undefined, id: string, given?: string) => given ?? list?.find((x) => x.id === id)?.name ?? id
  return assignments
    .map((a): AssignmentRow => {
      const actor = a.user
        ? { kind: 'user' as const, id: a.user.id, name: name(lookup.users, a.user.id, a.user.name) }
        : { kind: 'group' as const, id: a.group?.id ?? '?', name: a.group?.name ?? a.group?.id ?? '?' }
      const scope = a.scope.project
        ? { kind: 'project' as const, id: a.scope.project.id, name: name(lookup.projects, a.scope.project.id, a.scope.project.name) }
        : a.scope.domain
          ? { kind: 'domain' as const, id: a.scope.domain.id, name: a.scope.domain.name ?? a.scope.domain.id }
          : { kind: 'system' as const, id: 'all', name: 'all' }
      const role = { id: a.role.id, name: name(lookup.roles, a.role.id, a.role.name) }
      return { key: `${role.id}|${actor.kind}:${actor.id}|${scope.kind}:${scope.id}`, role, actor, scope, inherited: Boolean(a.scope['OS-INHERIT:inherited_to']) }
    })
    .sort((x, y) => x.scope.name.localeCompare(y.scope.name) || x.actor.name.localeCompare(y.actor.name) || x.role.name.localeCompare(y.role.name))
}
