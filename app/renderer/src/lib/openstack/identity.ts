import type { OpenStackClient } from './client'

/**
 * Thin Keystone v3 calls shared by the identity panels (as Horizon's api.keystone is): one function per API
 * call, wire JSON in OpenStack's spelling, no UI concerns. Features wrap these in their queries and mutations.
 */

export interface Project {
  id: string
  name: string
  description?: string
  enabled: boolean
  domain_id: string
  parent_id?: string | null
  is_domain?: boolean
}

export interface User {
  id: string
  name: string
  enabled: boolean
  domain_id: string
  default_project_id?: string | null
  email?: string
  description?: string
  password_expires_at?: string | null
}

export interface Role {
  id: string
  name: string
  domain_id?: string | null
  description?: string
}

export interface RoleAssignment {
  role: { id: string; name?: string }
  user?: { id: string; name?: string; domain?: { id: string; name?: string } }
  group?: { id: string; name?: string }
  scope: {
    project?: { id: string; name?: string; domain?: { id: string; name?: string } }
    domain?: { id: string; name?: string }
    system?: { all: boolean }
    'OS-INHERIT:inherited_to'?: string
  }
  links?: { assignment?: string }
}

export const listProjects = (c: OpenStackClient, signal?: AbortSignal) =>
  c.request<{ projects: Project[] }>('identity', 'GET', '/v3/projects', { signal }).then((r) => r.body.projects)

/** The projects the token's user can log in to (allowed for every user). */
export const listMyProjects = (c: OpenStackClient, signal?: AbortSignal) =>
  c.request<{ projects: Project[] }>('identity', 'GET', '/v3/auth/projects', { signal }).then((r) => r.body.projects)

export const createProject = (c: OpenStackClient, project: { name: string; description?: string; enabled?: boolean; domain_id?: string }) =>
  c.post<{ project: Project }>('identity', '/v3/projects', { project }).then((b) => b.project)

export const deleteProject = (c: OpenStackClient, id: string) => c.delete<void>('identity', `/v3/projects/${encodeURIComponent(id)}`)

export const listUsers = (c: OpenStackClient, signal?: AbortSignal) =>
  c.request<{ users: User[] }>('identity', 'GET', '/v3/users', { signal }).then((r) => r.body.users)

export const createUser = (
  c: OpenStackClient,
  user: { name: string; password: string; email?: string; description?: string; default_project_id?: string; enabled?: boolean; domain_id?: string },
) => c.post<{ user: User }>('identity', '/v3/users', { user }).then((b) => b.user)

export const deleteUser = (c: OpenStackClient, id: string) => c.delete<void>('identity', `/v3/users/${encodeURIComponent(id)}`)

export const listRoles = (c: OpenStackClient, signal?: AbortSignal) =>
  c.request<{ roles: Role[] }>('identity', 'GET', '/v3/roles', { signal }).then((r) => r.body.roles)

export const listRoleAssignments = (c: OpenStackClient, signal?: AbortSignal) =>
  c
    .request<{ role_assignments: RoleAssignment[] }>('identity', 'GET', '/v3/role_assignments', { query: { include_names: true }, signal })
    .then((r) => r.body.role_assignments)

const grantPath = (projectId: string, userId: string, roleId: string) =>
  `/v3/projects/${encodeURIComponent(projectId)}/users/${encodeURIComponent(userId)}/roles/${encodeURIComponent(roleId)}`

export const grantProjectRole = (c: OpenStackClient, a: { projectId: string; userId: string; roleId: string }) =>
  c.put<void>('identity', grantPath(a.projectId, a.userId, a.roleId))

export const revokeProjectRole = (c: OpenStackClient, a: { projectId: string; userId: string; roleId: string }) =>
  c.delete<void>('identity', grantPath(a.projectId, a.userId, a.roleId))

/** Query keys shared by every panel that shows identity data, so one mutation refreshes them all. */
export const identityKeys = {
  all: ['identity'] as const,
  projects: ['identity', 'projects'] as const,
  myProjects: ['identity', 'my-projects'] as const,
  users: ['identity', 'users'] as const,
  roles: ['identity', 'roles'] as const,
  roleAssignments: ['identity', 'role-assignments'] as const,
}

/** Keystone's limits on names (64 characters) and descriptions, checked before we send. */
export const NAME_MAX = 64
export const DESCRIPTION_MAX = 255
